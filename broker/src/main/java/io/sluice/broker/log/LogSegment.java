package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.remoting.SluiceException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
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
import java.util.concurrent.locks.ReentrantLock;

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
 * <p>Files open lazily and close when idle: nothing of a segment is open (no descriptor, no map) until a read or
 * an append needs it ({@link SegmentFiles}); a segment whose extent is known (sealed, or recorded by a clean
 * shutdown) loads without opening Chronicle at all; {@link #closeIfIdle} drops the queue, tailers, index map and
 * appender of a segment unused for a while, and the next read or append opens them again. So an idle partition
 * costs a few objects on the heap, whatever its number of segments.
 *
 * <p>Thread-safety: one appender at a time (the log's append lock) and any number of concurrent readers. Readers
 * see a batch only below {@link #endOffset()}, which is published after the excerpt and its index entry are
 * complete. A reader holds a reference ({@link #retain()}/{@link #release()}) so that the segment is not closed
 * while it reads, and a reference to its files for the duration of the read; the segment closes (and is deleted,
 * if so marked) when the last reference goes.
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
    /** The broker's open segments, which this one joins while its files are open. */
    private final OpenSegments openSegments;
    /** The append lock of the log: closing the appender needs it. */
    private final ReentrantLock appendLock;
    private final RefCount refs = new RefCount();
    private final Set<File> unflushedFiles = ConcurrentHashMap.newKeySet();
    private volatile SegmentFiles files;
    /** The roll cycle the directory records ({@link SegmentQueueBuilder}); null until the files first open. */
    private volatile RollCycle rollCycle;
    private volatile boolean filesClosed;
    private volatile long lastUsedNs = System.nanoTime();
    private volatile ExcerptAppender appender;
    /** The files the appender writes through (it holds a reference to them); null without an appender. */
    private SegmentFiles appenderFiles;
    private SegmentSpace space;
    /**
     * Where the data of cycle {@link #closedEndCycle} ended when the appender was last closed for idleness, so that
     * reopening it needs no second queue to read that from the file; -1 when unknown. {@link #closedReservedTo}: how
     * far that file's blocks were allocated then, so that reopening allocates nothing again.
     */
    private long closedEnd = -1;
    private long closedReservedTo = -1;
    private int closedEndCycle = Integer.MIN_VALUE;
    /** False from the start of an append until its excerpt is complete and {@link #space} knows where it ends. */
    private boolean spaceExact = true;
    private int appenderCycle = Integer.MIN_VALUE;
    /** Keeps the appender's unwritten pages from being read around; replaced with each appender. */
    private ReadAround.AheadOfWriter aheadOfWriter;
    /** Chronicle's overlap size (the largest excerpt), read when the appender opens: appends check it. */
    private long maxBatchBytes;
    private volatile long endOffset;
    private volatile long sizeInBytes;
    private volatile long maxTimestamp = Long.MIN_VALUE;
    private volatile boolean sealed;
    /** False while the segment is sealed in memory only (see {@link #sealAfterCrash()}). */
    private volatile boolean sealWritten = true;
    private long bytesSinceIndexEntry;
    private boolean ownerReleased;
    private volatile boolean deletePending;
    /**
     * False from the creation of this segment until a flush made its directory entry durable: creating a segment
     * does not wait for an fsync of the partition directory (milliseconds, on the append path), the flush that moves
     * the recovery point past it does.
     */
    private volatile boolean entryDurable = true;
    private volatile Path deleteDir;
    private SegmentRecovery.Result lastRecovery;

    private LogSegment(long baseOffset, Path dir, LogConfig config, ClockTimeProvider time, OpenSegments openSegments,
                       ReentrantLock appendLock) {
        this.baseOffset = baseOffset;
        this.dir = dir;
        this.config = config;
        this.time = time;
        this.openSegments = openSegments;
        this.appendLock = appendLock;
        this.chronicleTime = new SampledTimeProvider(time.currentTimeMillis());
        this.endOffset = baseOffset;
    }

    static String dirName(long baseOffset) {
        return String.format("%020d", baseOffset) + DIR_SUFFIX;
    }

    /**
     * Creates a new, empty, active segment at {@code baseOffset} in {@code partitionDir}, with its roll cycle
     * recorded and the space of its index allocated. On failure nothing is left behind.
     *
     * @throws SluiceException STORAGE_FULL if the disk has no room, STORAGE_ERROR for other I/O failures
     */
    static LogSegment create(Path partitionDir, long baseOffset, LogConfig config, ClockTimeProvider time,
                             OpenSegments openSegments, ReentrantLock appendLock) {
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
            SegmentQueueBuilder.recordRollCycle(dir, config.chronicleRollCycle());
            int capacity = OffsetIndex.capacityFor(config.segmentBytes(), config.indexIntervalBytes());
            index = OffsetIndex.create(dir.resolve(OffsetIndex.FILE_NAME), capacity, time.currentTimeMillis());
            segment = new LogSegment(baseOffset, dir, config, time, openSegments, appendLock);
            segment.rollCycle = config.chronicleRollCycle();
            segment.files = segment.buildFiles(index);   // joins the open segments once it has its appender
            index = null;
            segment.openAppender();
            openSegments.opened(segment);
            segment.entryDurable = false;   // made durable by the first flush, not on the append path
            return segment;
        } catch (RuntimeException e) {
            if (segment != null) {
                segment.close();
            }
            if (index != null) {
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
     * there. An unsealed segment is walked from its last trusted index entry to its end, unless {@code known} (the
     * extent a clean shutdown recorded for it) says where it ends; {@link #lastRecovery()} tells the caller whether
     * a walked tail was clean. A segment that needs no walk opens no file; one that was walked keeps its files open
     * until {@link #closeIfIdle} (the loader closes them). An unsealed segment is left without an appender.
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, ClockTimeProvider time, SegmentSeal seal,
                           long verifyFrom, ActiveExtent known, OpenSegments openSegments, ReentrantLock appendLock) {
        boolean hasIndex = Files.exists(dir.resolve(OffsetIndex.FILE_NAME));
        LogSegment segment = new LogSegment(baseOffset, dir, config, time, openSegments, appendLock);
        if (hasIndex && seal != null && verifyFrom >= seal.endOffset()) {
            segment.loadSealed(seal);
            return segment;
        }
        if (hasIndex && seal == null && known != null && known.baseOffset() == baseOffset) {
            segment.endOffset = known.endOffset();
            segment.sizeInBytes = known.sizeInBytes();
            segment.maxTimestamp = known.maxTimestamp();
            segment.bytesSinceIndexEntry = known.bytesSinceIndexEntry();
            if (known.sealed()) {
                segment.sealed = true;
                segment.sealWritten = false;
            }
            return segment;
        }
        segment.prepareDirectory();
        OffsetIndex index = OffsetIndex.openExisting(dir.resolve(OffsetIndex.FILE_NAME));
        boolean rebuild = index == null;
        if (rebuild) {
            int capacity = OffsetIndex.capacityFor(config.segmentBytes(), config.indexIntervalBytes());
            index = OffsetIndex.create(dir.resolve(OffsetIndex.FILE_NAME), capacity, time.currentTimeMillis());
        }
        try {
            segment.files = segment.buildFiles(index);   // the loader closes them: never among the open segments
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
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

    /**
     * Where an unsealed segment's data ended when the log was shut down cleanly, so a restart need not open it
     * to find out.
     */
    record ActiveExtent(long baseOffset, long endOffset, long sizeInBytes, long maxTimestamp,
                        long bytesSinceIndexEntry, boolean sealed) {
    }

    /**
     * This last segment's extent, as {@link #open} takes it back after a clean shutdown: unsealed, or sealed in
     * memory only (its seal then lives in the record).
     */
    ActiveExtent extent() {
        return new ActiveExtent(baseOffset, endOffset, sizeInBytes, maxTimestamp, bytesSinceIndexEntry, sealed);
    }

    /**
     * Seals the last segment of a log that was not shut down cleanly, after its walk, in memory only: no append
     * goes to it again (a dead writer may have left a lock or a half-written excerpt in it), and the seal file is
     * written only when a segment is created after it ({@link #writeSeal()}), so a restart after a crash costs no
     * write per partition. Until then a restart walks it again, or a clean shutdown records its extent.
     */
    void sealAfterCrash() {
        closeAppender();
        sealed = true;
        sealWritten = false;
    }

    /** True if the segment is sealed in memory only (see {@link #sealAfterCrash()}). */
    boolean sealPending() {
        return sealed && !sealWritten;
    }

    /** Writes the seal of a segment sealed in memory only; does nothing otherwise. Caller holds the append lock. */
    void writeSeal() {
        if (sealPending()) {
            new SegmentSeal(endOffset, sizeInBytes, maxTimestamp).write(dir);
            sealWritten = true;
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
        SegmentFiles f = files;
        SegmentRecovery.Result r = SegmentRecovery.scan(f.queue, f.index, baseOffset, config.indexIntervalBytes(),
                checkCrcFrom, stopAt, resumeSlot);
        indexChanged(f.index);
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

    /**
     * Learns this segment's roll cycle from its directory (and removes what an interrupted append left there), the
     * first time its files open in this process.
     */
    private void prepareDirectory() {
        if (rollCycle == null) {
            rollCycle = SegmentQueueBuilder.prepare(dir, config.chronicleRollCycle());
        }
    }

    private SingleChronicleQueue buildQueue() {
        return SegmentQueueBuilder.build(dir, rollCycle, config.chronicleBlockSize(), CHRONICLE_INDEX_SPACING,
                chronicleTime);
    }

    /** Opens this segment's queue over {@code index}, first closing least recently used segments if too many are open. */
    private SegmentFiles buildFiles(OffsetIndex index) {
        openSegments.makeRoom(this);
        SingleChronicleQueue q = buildQueue();
        return new SegmentFiles(q, index, new SegmentReader(dir, index, q.rollCycle(), new TailerPool(q)));
    }

    /**
     * Where the data of {@code cycle}'s file ends, read through a queue of its own: closing the store it looks at
     * must not close the one that readers of the segment's shared queue (reopened after an idle close) use.
     */
    private long dataEnd(int cycle) {
        try (SingleChronicleQueue probe = buildQueue()) {
            return SegmentSpace.dataEnd(probe, cycle);
        }
    }

    /**
     * This segment's files with a reference taken for the caller to {@link SegmentFiles#release()}, opened if they
     * are not (closed for idleness, or never opened since the log was loaded).
     *
     * @throws IllegalStateException if the segment itself is closed
     */
    private SegmentFiles acquireFiles() {
        lastUsedNs = System.nanoTime();
        for (; ; ) {
            SegmentFiles f = files;
            if (f == null) {
                f = openFiles();
            }
            if (f.retain()) {
                return f;
            }
            // closed for idleness between the read of the field and the retain: open them again
        }
    }

    private synchronized SegmentFiles openFiles() {
        SegmentFiles f = files;
        if (f != null) {
            return f;
        }
        if (filesClosed) {
            throw new IllegalStateException("segment " + dir + " is closed");
        }
        prepareDirectory();
        Path indexFile = dir.resolve(OffsetIndex.FILE_NAME);
        OffsetIndex index = OffsetIndex.openExisting(indexFile);
        boolean rebuild = index == null;
        if (rebuild) {
            log.warn("Segment {} lost its offset index; rebuilding it", dir);
            int capacity = OffsetIndex.capacityFor(config.segmentBytes(), config.indexIntervalBytes());
            index = OffsetIndex.create(indexFile, capacity, time.currentTimeMillis());
        }
        try {
            f = buildFiles(index);
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
        if (rebuild) {
            SegmentRecovery.scan(f.queue, index, baseOffset, config.indexIntervalBytes(), Long.MAX_VALUE, endOffset,
                    -1);
            indexChanged(index);
        } else if (sealed) {
            index.truncateToOffset(endOffset);
        }
        useFiles(f);
        return f;
    }

    private void useFiles(SegmentFiles f) {
        files = f;
        openSegments.opened(this);
    }

    private void dropFiles() {
        files = null;
        openSegments.closed(this);
    }

    /**
     * Closes the files of this segment if nothing used them for {@code idleNs} and no read is under way (a read
     * that starts meanwhile keeps them until it ends, or opens them again). The appender is closed too, but only if
     * the caller holds the log's append lock ({@code appendLockHeld}); otherwise a segment with an appender stays
     * open.
     *
     * @return true if files were closed
     */
    synchronized boolean closeIfIdle(long nowNs, long idleNs, boolean appendLockHeld) {
        SegmentFiles f = files;
        boolean withAppender = appender != null;
        if (f == null || nowNs - lastUsedNs < idleNs || withAppender && (!appendLockHeld || appenderFiles != f)) {
            return false;
        }
        // the segment's reference and the appender's must be the only ones; an append that opens an appender
        // meanwhile (without the append lock held here) retains first, so the claim fails
        if (!f.claimIfOnly(withAppender ? 2 : 1)) {
            return false;
        }
        if (withAppender) {
            appender.close();
            appender = null;
            if (space != null && spaceExact && space.cycle() != Integer.MIN_VALUE) {
                closedEnd = space.dataEnd();
                closedReservedTo = space.reservedTo();
                closedEndCycle = space.cycle();
            }
            if (space != null) {
                space.discardPending();
                space = null;
            }
            appenderFiles = null;
        }
        dropFiles();
        f.closeClaimed();
        return true;
    }

    /**
     * As {@link #closeIfIdle}, taking the log's append lock if an appender is open, without waiting for it: a
     * segment being appended to stays open.
     */
    boolean closeFilesIfIdle(long nowNs, long idleNs) {
        if (files == null) {
            return false;
        }
        if (appender == null) {
            return closeIfIdle(nowNs, idleNs, false);
        }
        if (!appendLock.tryLock()) {
            return false;
        }
        try {
            return closeIfIdle(nowNs, idleNs, true);
        } finally {
            appendLock.unlock();
        }
    }

    /** When a read or an append last used this segment, by {@link System#nanoTime()}. */
    long lastUsedNs() {
        return lastUsedNs;
    }

    /** True if the segment's files are open. */
    boolean filesOpen() {
        return files != null;
    }

    /** The index changed: its pages must reach the disk with the next {@link #flush()}. */
    private void indexChanged(OffsetIndex index) {
        unflushedFiles.add(index.file().toFile());
    }

    /**
     * Makes this (unsealed) segment the active one: appends go to it from now on, continuing in its last cycle file
     * if it has one.
     *
     * @return false if that file's space cannot be vouched for (the file system has no fallocate): the caller must
     *         seal the segment and start a new one
     */
    boolean openAppender() {
        if (appender != null) {
            return true;
        }
        SegmentFiles f = acquireFiles();
        try {
            SingleChronicleQueue q = f.queue;
            SegmentSpace s = new SegmentSpace(dir, q, config.segmentBytes());
            int lastCycle = q.lastCycle();
            if (lastCycle >= 0) {
                time.notBefore(q.epoch() + (long) lastCycle * q.rollCycle().lengthInMillis());
                chronicleTime.advanceTo(time.currentTimeMillis());
                boolean remembered = closedEndCycle == lastCycle;
                long end = remembered ? closedEnd : dataEnd(lastCycle);
                long reservedTo = remembered ? closedReservedTo : -1;
                closedEnd = -1;
                closedReservedTo = -1;
                closedEndCycle = Integer.MIN_VALUE;
                if (end < 0 || !s.resume(lastCycle, end, reservedTo)) {
                    f.release();
                    return false;
                }
            }
            ExcerptAppender a = q.createAppender();
            a.singleThreadedCheckDisabled(true);
            maxBatchBytes = q.overlapSize();
            space = s;
            aheadOfWriter = new ReadAround.AheadOfWriter();
            appenderFiles = f;
            appenderCycle = Integer.MIN_VALUE;
            appender = a;
            return true;
        } catch (RuntimeException e) {
            f.release();
            throw e;
        }
    }

    /** True if the segment has an open appender. */
    boolean hasAppender() {
        return appender != null;
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

    /** True if the index has no room for another entry. Needs the appender (the caller holds the append lock). */
    boolean indexFull() {
        return appenderFiles.index.isFull();
    }

    /**
     * When the first batch was appended (or the segment was created), by the log's clock. Needs the appender (the
     * caller holds the append lock).
     */
    long createdMs() {
        return appenderFiles.index.createdMs();
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
        lastUsedNs = System.nanoTime();
        OffsetIndex index = appenderFiles.index;
        chronicleTime.advanceTo(time.currentTimeMillis());
        space.reserve(appenderFiles.queue.cycle(), size);
        spaceExact = false;
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
        Bytes<?> written = appender.wire().bytes();
        space.appended(written.writePosition());
        aheadOfWriter.afterAppend(written.bytesStore(), written.writePosition());
        spaceExact = true;
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
            indexChanged(index);
        }
        if (indexEntry) {
            index.append(batchBase, chronicleIndex, sizeInBytes, maxTimestamp);
            indexChanged(index);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += size;
        sizeInBytes += size;
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
        }
        endOffset = batchBase + recordCount;
    }

    /** The largest batch one excerpt of this segment can hold. Needs the appender (the caller holds the lock). */
    long maxBatchBytes() {
        return maxBatchBytes;
    }

    /**
     * Copies whole batches into {@code out}: the one containing {@code offset}, then the following ones below
     * {@code limit} and this segment's end while the total stays within {@code maxBytes} (see
     * {@link ReadCursor#fits}). The caller holds a reference.
     */
    void read(ReadCursor cursor, long offset, long limit, int maxBytes, ByteBufAllocator alloc) {
        long end = Math.min(limit, endOffset);
        long size = sizeInBytes;
        SegmentFiles f = acquireFiles();
        try {
            f.reader.read(cursor, offset, end, size, maxBytes, alloc);
        } finally {
            f.release();
        }
    }

    /** Offset of the first record with a timestamp at or after {@code timestamp}, or -1 if none here. */
    long offsetForTimestamp(long timestamp) {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        long end = endOffset;
        SegmentFiles f = acquireFiles();
        try {
            return f.reader.offsetForTimestamp(timestamp, end);
        } finally {
            f.release();
        }
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
        SegmentFiles f = truncateAt < endOffset ? acquireFiles() : null;
        try {
            if (f != null) {
                long[] extent = f.reader.extentBefore(truncateAt, endOffset);
                newEnd = extent[0] < 0 ? baseOffset : extent[0];
                newSize = extent[1];
                newMaxTs = extent[2];
            }
            new SegmentSeal(newEnd, newSize, newMaxTs).write(dir);
            sealWritten = true;
            closeAppender();
            if (f != null) {
                f.index.truncateToOffset(newEnd);
                indexChanged(f.index);
            }
        } finally {
            if (f != null) {
                f.release();
            }
        }
        sealed = true;
        endOffset = newEnd;
        sizeInBytes = newSize;
        maxTimestamp = newMaxTs;
        return newEnd;
    }

    private synchronized void closeAppender() {
        closedEnd = -1;
        closedEndCycle = Integer.MIN_VALUE;
        if (appender != null) {
            appender.close();
            appender = null;
        }
        if (space != null) {
            space.discardPending();
            space = null;
        }
        if (appenderFiles != null) {
            appenderFiles.release();
            appenderFiles = null;
        }
    }

    /**
     * Forces the data appended since the last flush, and the index, to disk (through their paths: pages written
     * through a map that is closed since are forced as well), then the directory entries of those files and, the
     * first time, of the segment itself. The caller holds the log's append
     * lock for the active segment; a sealed segment may be flushed without it (while referenced).
     */
    void flush() {
        boolean filesFlushed = !unflushedFiles.isEmpty();
        for (File f : unflushedFiles) {
            try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.WRITE)) {
                ch.force(false);
            } catch (IOException e) {
                throw FileSpace.error("cannot flush " + f, e);
            }
            unflushedFiles.remove(f);
        }
        if (filesFlushed) {
            AtomicFile.fsyncDirectory(dir);   // the files Chronicle created in it
        }
        if (!entryDurable) {
            AtomicFile.fsyncDirectory(dir.getParent());
            entryDurable = true;
        }
        ExcerptAppender a = appender;
        if (a != null && a.currentFile() != null) {
            unflushedFiles.add(a.currentFile());
        }
    }

    /** True if data was appended (or the segment created) since the last {@link #flush()}. */
    boolean needsFlush() {
        return !unflushedFiles.isEmpty() || !entryDurable;
    }

    /** Takes a reference for a read; false if the segment is already closed. */
    boolean retain() {
        return refs.retain();
    }

    void release() {
        if (refs.release()) {
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
            if (refs.held() && deleteDir == null) {
                deleteDir = LogFiles.renameForDeletion(dir);
            }
        }
    }

    private void closeResources() {
        closeAppender();
        SegmentFiles f;
        synchronized (this) {
            filesClosed = true;
            f = files;
            if (f != null) {
                dropFiles();
            }
        }
        if (f != null) {
            f.release();
        }
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
