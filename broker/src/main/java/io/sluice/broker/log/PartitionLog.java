package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The log of one partition: record batches at dense offsets from the log start offset to the log end offset, kept
 * in {@link LogSegments} (each a Chronicle queue, see {@link LogSegment}), plus the high watermark, the log start
 * offset and the leader-epoch history, checkpointed in {@code partition.meta} ({@link PartitionMetadata}).
 *
 * <pre>
 * &lt;partition dir&gt;/partition.meta
 * &lt;partition dir&gt;/00000000000000000000.seg/   Chronicle cycle files (*.cq4), roll-cycle.NAME, segment.index, segment.seal
 * &lt;partition dir&gt;/00000000000000004711.seg/   ... the last segment is the active one
 * </pre>
 * Thread-safety: appends, truncation, retention, roll, flush and close are serialized by one lock; reads run
 * concurrently from any number of threads without it and only ever see whole batches below the log end offset.
 * Opening recovers after a crash (see {@link LogLoader}).
 *
 * <p>A full disk: an append that cannot get the space it needs is refused with STORAGE_FULL and stores nothing
 * (see {@link LogSegment}); so is one that needs a new segment that cannot be created (the log then keeps a sealed
 * last segment and creates the next one on the next append). Retention deletes segments even when the metadata
 * cannot be checkpointed first, since that is how space comes back.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

    private final Path dir;
    private final Clock clock;
    private final ClockTimeProvider time;
    private final LogSegments segments = new LogSegments();
    private final ReentrantLock lock = new ReentrantLock();
    private final OpenSegments openSegments;
    private final Object metadataLock = new Object();
    private final LeaderEpochCache epochs;
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile long checkpointedHighWatermark = -1;
    /** False while the last metadata write was not forced to disk (see {@link #checkpointQuietly()}). */
    private volatile boolean metadataDurable = true;
    private volatile boolean closed;

    private final int recoveredSegments;
    private final boolean metadataNeedsWrite;

    private PartitionLog(Path dir, LogConfig config, Clock clock, PartitionMetadata meta, boolean metaOnDiskClean,
                         OpenSegments openSegments) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.time = new ClockTimeProvider(clock);
        this.openSegments = openSegments;
        LogLoader.Loaded loaded = LogLoader.load(dir, config, time, meta, segments, openSegments, lock);
        this.logStartOffset = loaded.logStartOffset();
        this.logEndOffset = loaded.logEndOffset();
        this.recoveredSegments = loaded.recoveredSegments();
        this.highWatermark = Math.max(logStartOffset, Math.min(meta.highWatermark(), logEndOffset));
        this.recoveryPoint = meta.cleanShutdown() ? logEndOffset : Math.min(meta.recoveryPoint(), logEndOffset);
        this.epochs = new LeaderEpochCache(meta.leaderEpochs(), this::logEndOffset, this::checkpointQuietly);
        // the file still says "clean", or recovery moved the log start or end below its recovery point: the file
        // must say what is true now (sealing a crashed segment changes nothing the file holds)
        this.metadataNeedsWrite = metaOnDiskClean || logStartOffset != meta.logStartOffset()
                || recoveryPoint != meta.recoveryPoint() && !meta.cleanShutdown();
    }

    /**
     * Drops epochs the recovered log no longer holds and records that the log is open (not cleanly shut); the
     * metadata file is rewritten only if it no longer tells the truth, so opening an unchanged log writes nothing.
     */
    private void start() {
        try {
            int epochCount = epochs.entries().size();
            epochs.truncateFromEnd(logEndOffset + 1);
            epochs.truncateFromStart(logStartOffset);
            if (metadataNeedsWrite || epochs.entries().size() != epochCount) {
                writeMetadata(false);
            }
        } catch (RuntimeException e) {
            closeUncleanly();
            throw e;
        }
    }

    /**
     * Opens (creating if needed) the log in {@code dir} and recovers it: a torn or corrupt tail left by a crash is
     * dropped and appends continue right after the last valid batch.
     */
    public static PartitionLog open(Path dir, LogConfig config, Clock clock) {
        return open(dir, config, clock, null, OpenSegments.UNBOUNDED);
    }

    /**
     * As {@link #open(Path, LogConfig, Clock)}, taking {@code clean} (what the broker's clean shutdown recorded for
     * this log, or null) as the truth about where the log is known good: no segment is opened to recover it; its
     * segments count among {@code openSegments} while their files are open.
     */
    static PartitionLog open(Path dir, LogConfig config, Clock clock, CleanShutdown.Entry clean,
                             OpenSegments openSegments) {
        config.conclude();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw FileSpace.error("cannot create partition directory " + dir, e);
        }
        PartitionMetadata meta;
        try {
            meta = PartitionMetadata.read(dir);
        } catch (SluiceException e) {
            log.warn("{}; recovering from the segments alone (log start, high watermark and epochs are lost)",
                    e.getMessage());
            meta = null;
        }
        boolean onDiskClean = meta != null && meta.cleanShutdown();
        if (meta == null) {
            meta = PartitionMetadata.initial();
        }
        long checkpointedHw = meta.highWatermark();
        if (clean != null && !onDiskClean) {
            meta = meta.cleanlyShut(clean.recoveryPoint(), clean.highWatermark(), clean.active());
        }
        PartitionLog partitionLog = new PartitionLog(dir, config, clock, meta, onDiskClean, openSegments);
        partitionLog.checkpointedHighWatermark = checkpointedHw;
        partitionLog.start();
        return partitionLog;
    }

    /**
     * Appends one producer batch as the leader: checks its size and checksum, gives it the offsets from the log end
     * on (writing {@code baseOffset} and {@code leaderEpoch} into the caller's buffer, which the checksum does not
     * cover) and stores it. The caller keeps ownership of {@code batch}; its reader index is not moved.
     *
     * @throws SluiceException RECORD_TOO_LARGE over max.message.bytes, CORRUPT_RECORD for a bad batch or a buffer
     *                         holding more than one batch; the log is untouched then
     */
    public LogAppendInfo appendAsLeader(ByteBuf batch, int leaderEpoch) {
        int size = batch.readableBytes();
        int maxBytes = config.maxMessageBytes();
        if (size > maxBytes) {
            throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "batch of " + size + " bytes is larger than "
                    + "max.message.bytes=" + maxBytes + " of " + dir.getFileName());
        }
        RecordBatch view = new RecordBatch().wrap(batch, batch.readerIndex());
        view.validate(size);
        if (view.sizeInBytes() != size) {
            throw new SluiceException(ErrorCode.CORRUPT_RECORD, "the buffer holds " + size + " bytes but its batch "
                    + view.sizeInBytes() + "; append one batch at a time");
        }
        lock.lock();
        try {
            ensureOpen();
            long now = clock.millis();
            LogSegment active = activeFor(size, now);
            long base = logEndOffset;
            int count = view.recordCount();
            view.baseOffset(base);
            view.leaderEpoch(leaderEpoch);
            active.append(batch, batch.readerIndex(), size, base, count, view.maxTimestamp(), now);
            logEndOffset = base + count;
            if (leaderEpoch >= 0 && leaderEpoch > epochs.latestEpoch()) {
                epochs.assign(leaderEpoch, base);
            }
            return new LogAppendInfo(base, base + count - 1, now, count, size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends batches a follower fetched from its leader, offsets and epochs as the leader set them. Every batch
     * is checked before any is stored; the first must start at the log end offset and each must follow the last.
     *
     * @throws SluiceException OFFSET_OUT_OF_RANGE if the first batch does not start at the log end offset,
     *                         INVALID_REQUEST if the batches leave gaps, CORRUPT_RECORD / RECORD_TOO_LARGE as above
     */
    public LogAppendInfo appendAsFollower(ByteBuf batches) {
        lock.lock();
        try {
            ensureOpen();
            long now = clock.millis();
            int count = FollowerBatches.validate(batches, logEndOffset, activeFor(0, now).maxBatchBytes());
            long first = logEndOffset;
            int records = 0;
            RecordBatch view = new RecordBatch();
            int at = batches.readerIndex();
            for (int i = 0; i < count; i++) {
                view.wrap(batches, at);
                int size = view.sizeInBytes();
                LogSegment active = activeFor(size, now);
                long base = view.baseOffset();
                active.append(batches, at, size, base, view.recordCount(), view.maxTimestamp(), now);
                logEndOffset = view.nextOffset();
                records += view.recordCount();
                if (view.leaderEpoch() >= 0 && view.leaderEpoch() > epochs.latestEpoch()) {
                    epochs.assign(view.leaderEpoch(), base);
                }
                at += size;
            }
            return new LogAppendInfo(first, logEndOffset - 1, now, records, at - batches.readerIndex());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The segment to append {@code size} bytes to, rolling first if the active one is full or old, or was sealed
     * by a roll that failed halfway (there is none if creating a segment failed after a full truncation).
     */
    private LogSegment activeFor(int size, long now) {
        LogSegment active = segments.active();
        if (active != null && !active.isSealed() && !active.openAppender()) {
            log.info("{}: cannot vouch for the space of segment {} (no fallocate here); sealing it",
                    dir.getFileName(), active.baseOffset());
            active.seal(Long.MAX_VALUE);
        }
        LogConfig c = config;
        if (active == null || active.isSealed() || !active.isEmpty() && (active.sizeInBytes() + size > c.segmentBytes()
                || now - active.createdMs() >= c.segmentMs() || active.indexFull()
                || size > active.maxBatchBytes())) {
            active = rollLocked();
        }
        if (size > active.maxBatchBytes()) {
            throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "batch of " + size + " bytes does not fit a "
                    + "segment of " + dir.getFileName() + " (at most " + active.maxBatchBytes() + " bytes)");
        }
        return active;
    }

    /**
     * Reads whole batches from the one containing {@code offset} on, within {@code maxBytes} but at least one batch
     * when one is available: {@code read(offset, maxBytes, true, maxOffsetExclusive, alloc)}.
     */
    public FetchData read(long offset, int maxBytes, long maxOffsetExclusive, ByteBufAllocator alloc) {
        return read(offset, maxBytes, true, maxOffsetExclusive, alloc);
    }

    /**
     * Reads whole batches from the one containing {@code offset} on, within {@code maxBytes}, never a batch whose
     * base offset is at or past {@code maxOffsetExclusive} (a consumer passes the high watermark, a follower the log
     * end). With {@code minOneBatch} the first batch is returned whatever its size (so a batch larger than every
     * limit still gets through); without, a first batch larger than {@code maxBytes} is left for a later read, and
     * the tailer that found it stays on it, so that read does not look it up again. {@code offset == logEndOffset}
     * (or at the limit) reads nothing. Safe from any thread, concurrently with appends.
     *
     * @throws SluiceException OFFSET_OUT_OF_RANGE naming the valid range if {@code offset} is outside
     *                         [logStartOffset, logEndOffset]
     */
    public FetchData read(long offset, int maxBytes, boolean minOneBatch, long maxOffsetExclusive,
                          ByteBufAllocator alloc) {
        if (closed) {
            throw closedError();
        }
        long end = logEndOffset;
        long start = logStartOffset;
        if (offset < start || offset > end) {
            throw outOfRange(offset, start, end);
        }
        long limit = Math.min(maxOffsetExclusive, end);
        if (offset >= limit) {
            return FetchData.empty(offset);
        }
        ReadCursor cursor = new ReadCursor(minOneBatch);
        ByteBuf out;
        try {
            out = LogReader.read(segments, cursor, offset, limit, maxBytes, alloc);
        } catch (RuntimeException e) {
            throw readError(e, offset);
        }
        if (out == null) {
            if (offset < logStartOffset) {
                throw outOfRange(offset, logStartOffset, logEndOffset);
            }
            // No segment held the offset at that instant (one was being replaced): an empty answer makes the
            // fetcher ask again, where an out-of-range error would make a consumer reset its position.
            return FetchData.empty(offset);
        }
        if (cursor.batches == 0) {
            out.release();
            return FetchData.empty(offset);
        }
        return new FetchData(out, cursor.firstOffset, cursor.nextOffset, cursor.batches);
    }

    private RuntimeException readError(RuntimeException e, long offset) {
        if (e instanceof SluiceException) {
            return e;
        }
        if (closed) {
            return closedError();
        }
        if (offset < logStartOffset) {
            return outOfRange(offset, logStartOffset, logEndOffset);
        }
        return new SluiceException(ErrorCode.STORAGE_ERROR, "cannot read " + dir.getFileName() + " at offset "
                + offset + ": " + e, e);
    }

    static SluiceException outOfRange(long offset, long start, long end) {
        return new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " is out of range [" + start
                + ", " + end + ")");
    }

    private SluiceException closedError() {
        return new SluiceException(ErrorCode.UNKNOWN_PARTITION, "the log of " + dir.getFileName() + " is closed");
    }

    private void ensureOpen() {
        if (closed) {
            throw closedError();
        }
    }

    /** First offset a reader may ask for. */
    public long logStartOffset() {
        return logStartOffset;
    }

    /** Offset the next appended record gets. */
    public long logEndOffset() {
        return logEndOffset;
    }

    /** Bytes of batches in all segments. */
    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    public int segmentCount() {
        return segments.count();
    }

    public long highWatermark() {
        return highWatermark;
    }

    /**
     * Sets the high watermark (kept in memory, checkpointed by {@link #checkpoint()}, {@link #flush()} and
     * {@link #close()}), clamped to [logStartOffset, logEndOffset].
     */
    public void highWatermark(long hw) {
        highWatermark = Math.max(logStartOffset, Math.min(hw, logEndOffset));
    }

    /** First offset whose record timestamp is at or after {@code timestampMs}; the log end offset if none. */
    public long offsetForTimestamp(long timestampMs) {
        for (LogSegment s : segments.snapshot()) {
            if (s.maxTimestamp() < timestampMs || !s.retain()) {
                continue;
            }
            try {
                long found = s.offsetForTimestamp(timestampMs);
                if (found >= 0) {
                    return Math.max(found, logStartOffset);
                }
            } finally {
                s.release();
            }
        }
        return logEndOffset;
    }

    /**
     * Removes everything at or after {@code offset} (a follower diverging from its new leader). A batch is kept or
     * dropped whole, so if {@code offset} falls inside a batch the log ends before that batch. Appends continue at
     * the new log end. Chronicle cannot shorten a queue: the segment holding {@code offset} is sealed there and a
     * new segment starts; later segments are deleted.
     */
    public void truncateTo(long offset) {
        if (offset < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "cannot truncate a log to negative offset " + offset);
        }
        lock.lock();
        try {
            ensureOpen();
            if (offset >= logEndOffset) {
                return;
            }
            if (offset <= logStartOffset) {
                truncateFullyLocked(offset);
                return;
            }
            LogSegment holder = LogSegments.floor(segments.snapshot(), offset - 1);
            holder.writeSeal();
            long newEnd = holder.isSealed() && holder.endOffset() <= offset ? holder.endOffset() : holder.seal(offset);
            for (LogSegment s : segments.removeFrom(holder.baseOffset() + 1)) {
                s.delete();
            }
            if (holder.isEmpty()) {
                segments.removeFrom(holder.baseOffset());
                holder.delete();
            }
            log.info("{}: truncated from {} to {}", dir.getFileName(), logEndOffset, newEnd);
            logEndOffset = newEnd;
            highWatermark = Math.min(highWatermark, newEnd);
            recoveryPoint = Math.min(recoveryPoint, newEnd);
            epochs.truncateFromEnd(newEnd);
            writeMetadata(false);
            segments.add(LogSegment.create(dir, newEnd, config, time, openSegments, lock));   // if this fails, the next append retries
        } finally {
            lock.unlock();
        }
    }

    /** Removes all data; the log starts and ends at {@code offset}. */
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "cannot start a log at negative offset " + offset);
        }
        lock.lock();
        try {
            ensureOpen();
            truncateFullyLocked(offset);
        } finally {
            lock.unlock();
        }
    }

    private void truncateFullyLocked(long offset) {
        for (LogSegment s : segments.clear()) {
            s.delete();
        }
        log.info("{}: truncated fully, now starts at {}", dir.getFileName(), offset);
        logEndOffset = offset;
        logStartOffset = offset;
        highWatermark = offset;
        recoveryPoint = offset;
        epochs.clear();
        writeMetadata(false);
        segments.add(LogSegment.create(dir, offset, config, time, openSegments, lock));   // if this fails, the next append retries
    }

    /**
     * Applies retention: deletes the oldest segments whose newest record is older than retention.ms, or while the
     * log without them stays at least retention.bytes large. Only segments wholly below the high watermark go,
     * never the active one. The log start offset moves to the first remaining segment.
     *
     * @return the number of segments deleted
     */
    public int deleteExpiredSegments(long nowMs) {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            LogSegment[] all = segments.snapshot();
            int n = Retention.deletableCount(all, config, nowMs, highWatermark);
            if (n == 0) {
                return 0;
            }
            long newStart = all[n].baseOffset();
            logStartOffset = Math.max(logStartOffset, newStart);
            epochs.truncateFromStart(newStart);
            SluiceException checkpointFailure = null;
            try {
                writeMetadata(false);
            } catch (SluiceException e) {
                // a full disk: deleting is how space comes back, and a restart copes with segments gone below a
                // stale log start (the log then starts at the first segment left)
                checkpointFailure = e;
            }
            for (LogSegment s : segments.removeFirst(n)) {
                s.delete();
            }
            if (checkpointFailure != null) {
                writeMetadata(false);
            }
            log.info("{}: retention deleted {} segment(s); log now starts at {}", dir.getFileName(), n, newStart);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Seals the active segment and starts a new one (does nothing if the active one is empty). */
    public void roll() {
        lock.lock();
        try {
            ensureOpen();
            LogSegment active = segments.active();
            if (active == null || !active.isEmpty()) {
                rollLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private LogSegment rollLocked() {
        LogSegment old = segments.active();
        if (old != null) {
            old.writeSeal();   // a segment sealed in memory after a crash must not be left unsealed behind another
        }
        long end = old == null ? logEndOffset : old.isSealed() ? old.endOffset() : old.seal(Long.MAX_VALUE);
        LogSegment next = LogSegment.create(dir, end, config, time, openSegments, lock);
        segments.add(next);
        return next;
    }

    /**
     * Forces all appended data to disk and moves the recovery point to the log end (after a crash, recovery
     * re-checks only batches from the recovery point on). Blocks appends while it runs.
     */
    public void flush() {
        lock.lock();
        try {
            ensureOpen();
            flushAllLocked();
            writeMetadata(false);
        } finally {
            lock.unlock();
        }
    }

    private void flushAllLocked() {
        for (LogSegment s : segments.snapshot()) {
            if (s.needsFlush()) {
                s.flush();
            }
        }
        recoveryPoint = logEndOffset;
    }

    /**
     * Forces the data of segments rolled since the last call to disk, without holding up appends, and moves the
     * recovery point past them. Run by the periodic maintenance ({@link LogManager#runRetention(long)}), so that
     * recovery after a crash re-checks little more than the active segment.
     */
    public void flushRolledSegments() {
        long rp = recoveryPoint;
        LogSegment lastFlushed = null;
        long flushedEnd = rp;
        for (LogSegment s : segments.snapshot()) {
            if (!s.isSealed()) {
                break;
            }
            if (s.endOffset() <= rp) {
                continue;
            }
            if (!s.retain()) {
                break;
            }
            try {
                s.flush();
                lastFlushed = s;
                flushedEnd = s.endOffset();
            } finally {
                s.release();
            }
        }
        if (lastFlushed == null) {
            return;
        }
        lock.lock();
        try {
            // only if nothing was truncated meanwhile: the flushed segment is still there, sealed where it was
            if (!closed && flushedEnd > recoveryPoint && lastFlushed.endOffset() == flushedEnd
                    && LogSegments.floor(segments.snapshot(), flushedEnd - 1) == lastFlushed) {
                recoveryPoint = flushedEnd;
                writeMetadata(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checkpoints the metadata if the high watermark moved since the last checkpoint, or if the last one was not
     * forced to disk (an epoch change on the append path).
     */
    public void checkpoint() {
        if (!closed && (highWatermark != checkpointedHighWatermark || !metadataDurable)) {
            writeMetadata(false);
        }
    }

    public LeaderEpochCache leaderEpochCache() {
        return epochs;
    }

    public LogConfig config() {
        return config;
    }

    /** Replaces the config (a topic's settings changed); new segments and retention use it. */
    public void config(LogConfig newConfig) {
        this.config = newConfig.conclude();
    }

    public Path dir() {
        return dir;
    }

    /**
     * Checkpoints a change of the leader-epoch history without forcing it to disk, as Kafka does since KAFKA-15046:
     * it happens on the append path (the first append of a new leader epoch), where an fsync of the file and its
     * directory cost milliseconds per partition. The write survives the process being killed; the next
     * {@link #checkpoint()} or flush forces it, so only a power loss before then can lose the change.
     */
    private void checkpointQuietly() {
        writeMetadata(false, false);
    }

    private void writeMetadata(boolean cleanShutdown) {
        writeMetadata(cleanShutdown, true);
    }

    private void writeMetadata(boolean cleanShutdown, boolean durable) {
        synchronized (metadataLock) {
            long hw = highWatermark;
            new PartitionMetadata(logStartOffset, hw, recoveryPoint, cleanShutdown, epochs.entries(),
                    cleanShutdown ? activeExtent() : null).write(dir, durable);
            checkpointedHighWatermark = hw;
            metadataDurable = durable;
        }
    }

    /** The extent of the last segment if it is unsealed or sealed in memory only, else null. */
    private LogSegment.ActiveExtent activeExtent() {
        LogSegment active = segments.active();
        return active == null || active.isSealed() && !active.sealPending() ? null : active.extent();
    }

    /** Segments this log walked when it was opened (0 after a clean shutdown). */
    public int recoveredSegments() {
        return recoveredSegments;
    }

    /**
     * Closes the files of segments nobody used for {@code idleNs} (see {@link LogSegment#closeIfIdle}); the active
     * segment's only if no append is under way. Returns the number of segments whose files were closed.
     */
    public int closeIdleFiles(long nowNs, long idleNs) {
        int closed = 0;
        for (LogSegment s : segments.snapshot()) {
            if (s.closeFilesIfIdle(nowNs, idleNs)) {
                closed++;
            }
        }
        return closed;
    }

    /**
     * Forces the data appended since the last flush to disk and moves the recovery point to the log end, if
     * anything was appended (the periodic recovery-point checkpoint: after a crash, only batches appended since
     * are walked). Does nothing for an idle log.
     */
    public void checkpointRecoveryPoint() {
        if (closed || recoveryPoint == logEndOffset) {
            return;
        }
        lock.lock();
        try {
            if (!closed && recoveryPoint != logEndOffset) {
                flushAllLocked();
                writeMetadata(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Flushes, checkpoints the metadata marking a clean shutdown, and closes the segments. Idempotent. On a full
     * disk the clean-shutdown mark may not be written: the log still closes (the next open then re-checks the data
     * from the last recovery point, losing nothing).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                flushAllLocked();
                writeMetadata(true);
            } catch (SluiceException e) {
                if (e.code() != ErrorCode.STORAGE_FULL) {
                    throw e;
                }
                log.warn("{}: closed without a clean-shutdown mark ({}); the next open re-checks it",
                        dir.getFileName(), e.getMessage());
            } finally {
                closed = true;
                for (LogSegment s : segments.clear()) {
                    s.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Flushes and closes the log for a broker-wide clean shutdown: returns what the broker records for it in its
     * single clean-shutdown marker ({@link CleanShutdown}) instead of writing this log's metadata, or null if the
     * data could not be flushed (the log is closed anyway and recovered from its last recovery point next time).
     */
    CleanShutdown.Entry closeForShutdown() {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            try {
                flushAllLocked();
                return new CleanShutdown.Entry(logEndOffset, highWatermark, activeExtent());
            } catch (SluiceException e) {
                log.warn("{}: closed without a clean-shutdown record ({}); the next open re-checks it",
                        dir.getFileName(), e.getMessage());
                return null;
            } finally {
                closed = true;
                for (LogSegment s : segments.clear()) {
                    s.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the files the way a killed process leaves them: no flush, no clean-shutdown mark, so the next open
     * recovers. For crash tests.
     */
    void closeUncleanly() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.clear()) {
                s.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the log and deletes its directory (renamed to {@code *.deleted} first, so that a crash midway leaves
     * nothing that looks like a log; {@link LogManager} removes such leftovers).
     */
    public void delete() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.clear()) {
                s.delete();
            }
            LogFiles.renameAndDelete(dir);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog{" + dir.getFileName() + " [" + logStartOffset + ", " + logEndOffset + ") hw="
                + highWatermark + " segments=" + segments.count() + "}";
    }
}
