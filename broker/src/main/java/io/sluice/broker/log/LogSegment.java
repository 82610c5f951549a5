package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.SluiceException;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One segment of a partition log: a Chronicle queue directory named by the segment's base offset
 * ({@code 00000000000000000000.seg/}) holding one record batch per excerpt, in offset order and without gaps,
 * possibly over several Chronicle roll cycles, plus its {@link OffsetIndex} ({@code segment.index}) and, once it
 * takes no more appends, its {@link SegmentSeal} ({@code segment.seal}). Batches are stored exactly as received
 * (see {@link io.sluice.remoting.record.RecordBatch}); excerpts at or past a seal's end offset are never read.
 *
 * <p>Disk space: every byte Chronicle's memory-mapped writes will touch for an append is allocated before the append
 * writes anything ({@link SegmentSpace}, {@link OffsetIndex#reserveNext()}), so a full disk refuses the append with
 * STORAGE_FULL and leaves the segment as it was; a write never faults on an unbacked page. Chronicle's clock for the
 * segment is the log's, sampled once per append, so a new roll cycle (a new file) starts exactly where
 * {@link SegmentSpace} has prepared it.
 *
 * <p>Thread-safety: one appender at a time (the log's append lock) and any number of concurrent readers. Readers
 * see a batch only below {@link #endOffset()}, which is published after the excerpt and its index entry are
 * complete. A reader holds a reference ({@link #retain()}/{@link #release()}) so that the queue and index stay
 * mapped while it reads; the segment closes (and is deleted, if so marked) when the last reference goes.
 */
final class LogSegment {
    private static final Logger log = LoggerFactory.getLogger(LogSegment.class);
    static final String DIR_SUFFIX = ".seg";
    /** Chronicle indexes every n-th excerpt; a batch excerpt is large, so a dense index keeps moveToIndex short. */
    private static final int CHRONICLE_INDEX_SPACING = 16;

    private final long baseOffset;
    private final Path dir;
    private final LogConfig config;
    private final ClockTimeProvider time;
    private final SampledTimeProvider chronicleTime;
    private final OffsetIndex index;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final Set<File> unflushedFiles = ConcurrentHashMap.newKeySet();
    private volatile SingleChronicleQueue queue;
    private volatile SegmentReader reader;
    private volatile ExcerptAppender appender;
    private SegmentSpace space;
    private int appenderCycle = Integer.MIN_VALUE;
    private volatile long endOffset;
    private volatile long sizeInBytes;
    private volatile long maxTimestamp = Long.MIN_VALUE;
    private volatile boolean sealed;
    private long bytesSinceIndexEntry;
    private boolean ownerReleased;
    private volatile boolean deletePending;
    private volatile Path deleteDir;
    private SegmentRecovery.Result lastRecovery;

    private LogSegment(long baseOffset, Path dir, LogConfig config, ClockTimeProvider time, OffsetIndex index) {
        this.baseOffset = baseOffset;
        this.dir = dir;
        this.config = config;
        this.time = time;
        this.chronicleTime = new SampledTimeProvider(time.currentTimeMillis());
        this.index = index;
        this.endOffset = baseOffset;
    }

    static String dirName(long baseOffset) {
        return String.format("%020d", baseOffset) + DIR_SUFFIX;
    }

    /**
     * Creates a new, empty, active segment at {@code baseOffset} in {@code partitionDir}, with the space of its
     * queue's table store and index allocated. On failure nothing is left behind.
     *
     * @throws SluiceException STORAGE_FULL if the disk has no room, STORAGE_ERROR for other I/O failures
     */
    static LogSegment create(Path partitionDir, long baseOffset, LogConfig config, ClockTimeProvider time) {
        Path dir = partitionDir.resolve(dirName(baseOffset));
        if (Files.exists(dir)) {
            log.warn("Replacing leftover segment directory {}", dir);
            LogFiles.deleteRecursively(dir);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw FileSpace.error("cannot create segment " + dir, e);
        }
        OffsetIndex index = null;
        LogSegment segment = null;
        try {
            SegmentSpace.prepareDirectory(dir);
            int capacity = OffsetIndex.capacityFor(config.segmentBytes(), config.indexIntervalBytes());
            index = OffsetIndex.create(dir.resolve(OffsetIndex.FILE_NAME), capacity, time.currentTimeMillis());
            segment = new LogSegment(baseOffset, dir, config, time, index);
            segment.openAppender();
            AtomicFile.fsyncDirectory(partitionDir);
            return segment;
        } catch (RuntimeException e) {
            if (segment != null) {
                segment.close();
            } else if (index != null) {
                index.close();
            }
            LogFiles.deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * Opens an existing segment directory. Batches from {@code verifyFrom} on (the partition's recovery point
     * after an unclean shutdown, {@link Long#MAX_VALUE} after a clean one) are not trusted: they are walked again,
     * checksums checked, and the index rebuilt from the entry before them (all of it if the index is missing).
     * A sealed segment keeps its seal's extent unless that walk ends earlier, in which case it is sealed again
     * there. An unsealed segment is walked from its last trusted index entry to its end; {@link #lastRecovery()}
     * tells the caller whether that tail was clean. An unsealed segment is left without an appender (see
     * {@link #openAppender()}).
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, ClockTimeProvider time, SegmentSeal seal,
                           long verifyFrom) {
        SegmentSpace.prepareDirectory(dir);
        OffsetIndex index = OffsetIndex.openExisting(dir.resolve(OffsetIndex.FILE_NAME));
        boolean rebuild = index == null;
        if (rebuild) {
            int capacity = OffsetIndex.capacityFor(config.segmentBytes(), config.indexIntervalBytes());
            index = OffsetIndex.create(dir.resolve(OffsetIndex.FILE_NAME), capacity, time.currentTimeMillis());
        }
        LogSegment segment = new LogSegment(baseOffset, dir, config, time, index);
        try {
            if (seal != null) {
                index.truncateToOffset(seal.endOffset());
            }
            int resumeSlot = rebuild ? -1 : index.floorSlot(verifyFrom);
            if (seal == null) {
                segment.recover(resumeSlot, verifyFrom, Long.MAX_VALUE);
            } else if (rebuild || index.entries() == 0 || verifyFrom < seal.endOffset()) {
                SegmentRecovery.Result r = segment.recover(resumeSlot, verifyFrom, seal.endOffset());
                segment.lastRecovery = null;
                segment.loadSealed(seal);
                if (r.endOffset() < seal.endOffset()) {
                    log.warn("Segment {} is sealed at {} but holds valid batches only up to {}; sealing it there",
                            dir, seal.endOffset(), r.endOffset());
                    segment.seal(r.endOffset());
                }
            } else {
                segment.loadSealed(seal);
            }
            return segment;
        } catch (RuntimeException e) {
            segment.close();
            throw e;
        }
    }

    private void loadSealed(SegmentSeal seal) {
        endOffset = seal.endOffset();
        sizeInBytes = seal.sizeInBytes();
        maxTimestamp = seal.maxTimestamp();
        sealed = true;
    }

    /** Walks the excerpts from index entry {@code resumeSlot} (the start if negative) to establish the extent. */
    private SegmentRecovery.Result recover(int resumeSlot, long checkCrcFrom, long stopAt) {
        SegmentRecovery.Result r = SegmentRecovery.scan(queue(), index, baseOffset, config.indexIntervalBytes(),
                checkCrcFrom, stopAt, resumeSlot);
        endOffset = r.endOffset();
        sizeInBytes = r.sizeInBytes();
        maxTimestamp = r.maxTimestamp();
        bytesSinceIndexEntry = r.bytesSinceIndexEntry();
        lastRecovery = r;
        return r;
    }

    /** What the scan of {@link #open} found for an unsealed segment, or null for a sealed one. */
    SegmentRecovery.Result lastRecovery() {
        return lastRecovery;
    }

    SingleChronicleQueue queue() {
        SingleChronicleQueue q = queue;
        if (q == null) {
            synchronized (this) {
                q = queue;
                if (q == null) {
                    q = SingleChronicleQueueBuilder.single(dir.toFile())
                            .rollCycle(config.chronicleRollCycle())
                            .blockSize(config.chronicleBlockSize())
                            .indexSpacing(CHRONICLE_INDEX_SPACING)
                            .timeProvider(chronicleTime)
                            .build();
                    reader = new SegmentReader(dir, index, new TailerPool(q));
                    queue = q;
                }
            }
        }
        return q;
    }

    /**
     * Makes this (unsealed) segment the active one: appends go to it from now on, continuing in its last cycle file
     * if it has one.
     *
     * @return false if that file's space cannot be vouched for (the file system has no fallocate): the caller must
     *         seal the segment and start a new one
     */
    boolean openAppender() {
        SingleChronicleQueue q = queue();
        SegmentSpace s = new SegmentSpace(dir, q, config.segmentBytes());
        int lastCycle = q.lastCycle();
        if (lastCycle >= 0) {
            time.notBefore(q.epoch() + (long) lastCycle * q.rollCycle().lengthInMillis());
            chronicleTime.advanceTo(time.currentTimeMillis());
            long end = SegmentSpace.dataEnd(q, lastCycle);
            if (end < 0 || !s.resume(lastCycle, end)) {
                return false;
            }
        }
        space = s;
        appender = q.createAppender();
        appender.singleThreadedCheckDisabled(true);
        return true;
    }

    long baseOffset() {
        return baseOffset;
    }

    /** Offset after the last readable record of this segment. */
    long endOffset() {
        return endOffset;
    }

    long sizeInBytes() {
        return sizeInBytes;
    }

    /** Largest record timestamp in the segment, {@link Long#MIN_VALUE} if empty. */
    long maxTimestamp() {
        return maxTimestamp;
    }

    boolean isEmpty() {
        return endOffset == baseOffset;
    }

    boolean isSealed() {
        return sealed;
    }

    boolean indexFull() {
        return index.isFull();
    }

    /** When the first batch was appended (or the segment was created), by the log's clock. */
    long createdMs() {
        return index.createdMs();
    }

    Path dir() {
        return dir;
    }

    /**
     * Appends one batch whose header already carries its offsets. Caller holds the log's append lock and has
     * validated the batch.
     *
     * @throws SluiceException STORAGE_FULL if the space the batch needs cannot be allocated; nothing was stored
     */
    void append(ByteBuf batch, int at, int size, long batchBase, int recordCount, long batchMaxTimestamp,
                long nowMs) {
        if (sealed || appender == null) {
            throw new IllegalStateException("segment " + baseOffset + " takes no appends");
        }
        chronicleTime.advanceTo(time.currentTimeMillis());
        space.reserve(queue.cycle(), size);
        boolean indexEntry = index.entries() == 0 || bytesSinceIndexEntry >= config.indexIntervalBytes();
        if (indexEntry) {
            index.reserveNext();
        }
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                ExcerptBytes.copyIn(batch, at, size, dc.wire().bytes());
            } catch (RuntimeException | Error e) {
                dc.rollbackOnClose();
                throw e;
            }
        }
        space.appended(appender.wire().bytes().writePosition());
        long chronicleIndex = appender.lastIndexAppended();
        if (appender.cycle() != appenderCycle) {
            appenderCycle = appender.cycle();
            File f = appender.currentFile();
            if (f != null) {
                unflushedFiles.add(f);
            }
        }
        if (isEmpty()) {
            index.createdMs(nowMs);
        }
        if (indexEntry) {
            index.append(batchBase, chronicleIndex, sizeInBytes, maxTimestamp);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += size;
        sizeInBytes += size;
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
        }
        endOffset = batchBase + recordCount;
    }

    /** Bytes of batches from the indexed batch at or before {@code offset} to the end: an upper bound to read. */
    long bytesFrom(long offset) {
        int slot = index.floorSlot(offset);
        return slot < 0 ? sizeInBytes : sizeInBytes - index.position(slot);
    }

    /** The largest batch one excerpt of this segment can hold. */
    long maxBatchBytes() {
        return queue().overlapSize();
    }

    /**
     * Copies whole batches into {@code out}: the one containing {@code offset}, then the following ones below
     * {@code limit} and this segment's end while the total stays within {@code maxBytes} (the first batch is
     * copied whatever its size if {@code cursor} holds nothing yet). The caller holds a reference.
     */
    void read(ReadCursor cursor, long offset, long limit, int maxBytes, ByteBuf out) {
        reader().read(cursor, offset, Math.min(limit, endOffset), maxBytes, out);
    }

    /** Offset of the first record with a timestamp at or after {@code timestamp}, or -1 if none here. */
    long offsetForTimestamp(long timestamp) {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        return reader().offsetForTimestamp(timestamp, endOffset);
    }

    private SegmentReader reader() {
        queue();
        return reader;
    }

    /**
     * Seals the segment so that it ends at the last batch ending at or before {@code truncateAt} (everything if
     * that is past the end): the seal is written atomically; the data is not flushed here (see {@link #flush()}
     * and the recovery point of the log). Returns the new end offset. Caller holds the log's append lock.
     */
    long seal(long truncateAt) {
        long newEnd = endOffset;
        long newSize = sizeInBytes;
        long newMaxTs = maxTimestamp;
        if (truncateAt < endOffset) {
            long[] extent = reader().extentBefore(truncateAt, endOffset);
            newEnd = extent[0] < 0 ? baseOffset : extent[0];
            newSize = extent[1];
            newMaxTs = extent[2];
        }
        new SegmentSeal(newEnd, newSize, newMaxTs).write(dir);
        closeAppender();
        index.truncateToOffset(newEnd);
        sealed = true;
        endOffset = newEnd;
        sizeInBytes = newSize;
        maxTimestamp = newMaxTs;
        return newEnd;
    }

    private void closeAppender() {
        if (appender != null) {
            appender.close();
            appender = null;
        }
        if (space != null) {
            space.discardPending();
        }
    }

    /**
     * Forces the data appended since the last flush, and the index, to disk. The caller holds the log's append
     * lock for the active segment; a sealed segment may be flushed without it (while referenced).
     */
    void flush() {
        for (File f : unflushedFiles) {
            try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.WRITE)) {
                ch.force(false);
            } catch (IOException e) {
                throw FileSpace.error("cannot flush " + f, e);
            }
            unflushedFiles.remove(f);
        }
        ExcerptAppender a = appender;
        if (a != null && a.currentFile() != null) {
            unflushedFiles.add(a.currentFile());
        }
        index.flush();
    }

    /** True if data was appended since the last {@link #flush()}. */
    boolean needsFlush() {
        return !unflushedFiles.isEmpty();
    }

    /** Takes a reference for a read; false if the segment is already closed. */
    boolean retain() {
        for (; ; ) {
            int n = refs.get();
            if (n <= 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            closeResources();
        }
    }

    /** Drops the owner's reference: the segment closes once no reader holds it. Idempotent. */
    void close() {
        synchronized (this) {
            if (ownerReleased) {
                return;
            }
            ownerReleased = true;
        }
        release();
    }

    /**
     * Deletes the segment: its directory is renamed to {@code *.deleted} at once (so its name is free and a restart
     * ignores it) and removed when the last reader lets go.
     */
    void delete() {
        deletePending = true;
        close();
        synchronized (this) {
            if (refs.get() > 0 && deleteDir == null) {
                deleteDir = LogFiles.renameForDeletion(dir);
            }
        }
    }

    private void closeResources() {
        closeAppender();
        SegmentReader r = reader;
        if (r != null) {
            r.close();
        }
        SingleChronicleQueue q = queue;
        if (q != null) {
            q.close();
        }
        index.close();
        if (deletePending) {
            Path toDelete;
            synchronized (this) {
                if (deleteDir == null) {
                    deleteDir = LogFiles.renameForDeletion(dir);
                }
                toDelete = deleteDir;
            }
            LogFiles.deleteRecursively(toDelete);
        }
    }

    @Override
    public String toString() {
        return "LogSegment{" + dir.getFileName() + " [" + baseOffset + ", " + endOffset + ") " + sizeInBytes
                + " bytes" + (sealed ? ", sealed" : "") + "}";
    }
}
