package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.PrecreatedFiles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.Wires;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The disk space a segment's Chronicle queue writes into, allocated before Chronicle's memory-mapped writes touch
 * it (see {@link FileSpace} for why a write into an unbacked mapped page must never happen).
 *
 * <p>Where Chronicle writes, and how each place is covered (its table store is on the heap, {@link HeapTableStore}):
 * <ul>
 *   <li>a cycle file ({@code *.cq4}, one per roll cycle; its length is set far ahead, sparse): Chronicle writes its
 *       header and its index-of-indexes when it creates the file, then excerpts and, every so many excerpts, a new
 *       index array, all at its write position, plus index entries inside earlier index arrays (below it) and an
 *       end-of-file marker when it moves to the next cycle. So the invariant kept here is: <b>[0, reservedTo) of the
 *       current cycle file is allocated, and before each append reservedTo covers the write position plus the
 *       batch plus {@code slack}</b> (one index array, headers, padding, the EOF marker). Reservations go ahead in
 *       chunks so one fallocate serves many appends: 64 KiB first, doubling with each reservation in the same file
 *       up to 4 MiB (or a sixteenth of the segment size), so a quiet partition holds little unused space and a busy
 *       one calls fallocate once per 4 MiB (on ext4 a call costs about the same whatever its size, 10 to 35 us here;
 *       on tmpfs it zeroes the pages, work the first touch of each page would otherwise do).</li>
 *   <li>a new cycle file is created by Chronicle inside an append when the segment's clock enters a new roll cycle.
 *       Before such an append its file is created here, allocated, under the name Chronicle adopts
 *       ({@code <cycle>.precreated}, renamed by Chronicle to the cycle file it is about to create). The segment's
 *       clock is sampled once per append ({@link LogSegment}), so Chronicle rolls exactly when this class expects.</li>
 * </ul>
 * Chronicle also reads just past what it wrote (the word after an excerpt, to check nothing follows it); on tmpfs
 * even a read of an unallocated shared page takes space and faults when there is none, so that word lies in the
 * slack too.
 *
 * <p>Why this way: Chronicle's appender writes only through its map (there is no file-channel mode to switch to),
 * so the pages must be backed before it writes. {@code fallocate} allocates without touching data, so it is safe
 * ahead of, behind and around what Chronicle maps; writing zeros is not, and is only the fallback. Cycle files keep
 * rolling by time as {@code roll.cycle} says, rather than being frozen to one per segment, and new ones are prepared
 * through Chronicle's own pre-created-file hand-over, so a segment's layout is what Chronicle would write anyway.
 * The cost on the append path is one fallocate per reserved chunk, amortised over the chunk.
 *
 * <p>A reservation that finds no room throws {@link ErrorCode#STORAGE_FULL} before anything is written; the append is
 * refused and the log is unchanged. Where the file system has no fallocate, zeros are written past the write
 * position instead (never over written data); a reopened segment then cannot be vouched for (its index arrays have
 * holes below the write position) and {@link #resume} says so, so that the log starts a new segment instead.
 *
 * <p>Not thread-safe: used under the log's append lock.
 */
final class SegmentSpace {
    private static final Logger log = LoggerFactory.getLogger(SegmentSpace.class);
    private static final String PRECREATED_SUFFIX = ".precreated";
    private static final long MIN_CHUNK_BYTES = 64 << 10;
    private static final long MAX_CHUNK_BYTES = 4 << 20;
    private static final long PAGE = OS.pageSize();

    private final Path dir;
    private final RollingResourcesCache names;
    private final long maxChunkBytes;
    private final long slackBytes;
    private final long headerBytes;
    private int cycle = Integer.MIN_VALUE;
    private Path file;
    private long reservedTo;
    private long writtenTo;
    private long chunkBytes = MIN_CHUNK_BYTES;
    private Path pendingPrecreated;

    SegmentSpace(Path dir, SingleChronicleQueue queue, long segmentBytes) {
        this.dir = dir;
        this.names = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> new File(dir.toFile(), name + SingleChronicleQueue.SUFFIX), File::getName);
        long indexArray = queue.indexCount() * 8L + 256;
        this.slackBytes = indexArray + 4096;
        this.headerBytes = 2 * indexArray + 8192;
        this.maxChunkBytes = Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, segmentBytes / 16));
    }

    /** True for a pre-created cycle file that an append interrupted by a crash left behind. */
    static boolean isLeftover(String fileName) {
        return fileName.endsWith(PRECREATED_SUFFIX);
    }

    /**
     * Continues in the existing file of {@code lastCycle} whose data ends at {@code end}: allocates all of it up to
     * the reservation (fallocate leaves written blocks alone), unless {@code allocatedTo} (how far this process
     * allocated the file before closing it, or -1) already covers it. Reads the first pages the next append writes
     * into the page cache, so that its first fault reads nothing around them ({@link ReadAround}).
     *
     * @return false if the file's blocks cannot be vouched for (no fallocate): the segment must take no appends
     */
    boolean resume(int lastCycle, long end, long allocatedTo) {
        Path f = fileFor(lastCycle);
        long target = end + slackBytes + chunkBytes;
        if (allocatedTo >= end + slackBytes) {
            target = allocatedTo;   // allocated before the close, and nothing has shrunk the file since
        } else if (!FileSpace.allocate(f, 0, target, Long.MAX_VALUE)) {
            return false;
        }
        cycle = lastCycle;
        file = f;
        writtenTo = end;
        reservedTo = target;
        ReadAround.cache(f, end & -PAGE, Math.min(target, end + MIN_CHUNK_BYTES));  // the next append's first pages
        return true;
    }

    /**
     * Before appending {@code batchBytes} in roll cycle {@code appendCycle}: makes sure every byte Chronicle will
     * write for it is allocated, creating the cycle's file first if Chronicle is about to.
     *
     * @throws SluiceException STORAGE_FULL if there is no room (nothing was written)
     */
    void reserve(int appendCycle, long batchBytes) {
        if (appendCycle != cycle) {
            startCycle(appendCycle, batchBytes);
        }
        long need = writtenTo + batchBytes + slackBytes;
        if (need <= reservedTo) {
            return;
        }
        long target = Math.max(need, reservedTo + chunkBytes);
        chunkBytes = Math.min(maxChunkBytes, chunkBytes * 2);
        try {
            FileSpace.allocate(file, reservedTo, target, writtenTo);
        } catch (SluiceException e) {
            if (e.code() != ErrorCode.STORAGE_FULL || target == need) {
                throw e;
            }
            target = need;   // no room for a whole chunk: take just what this batch needs, if that is there
            FileSpace.allocate(file, reservedTo, target, writtenTo);
        }
        reservedTo = target;
    }

    private void startCycle(int appendCycle, long batchBytes) {
        Path f = fileFor(appendCycle);
        if (Files.exists(f)) {
            throw new IllegalStateException("cycle file " + f + " exists but its space was not resumed");
        }
        discardPending();
        Path precreated = PrecreatedFiles.preCreatedFile(f.toFile()).toPath();
        long size = headerBytes + batchBytes + slackBytes + MIN_CHUNK_BYTES;
        FileSpace.createAllocated(precreated, size, size);
        ReadAround.cache(precreated, size);
        pendingPrecreated = precreated;
        chunkBytes = MIN_CHUNK_BYTES;
        cycle = appendCycle;
        file = f;
        writtenTo = 0;
        reservedTo = size;
    }

    /** After an append: Chronicle's data in the current cycle file now ends at {@code end}. */
    void appended(long end) {
        if (pendingPrecreated != null) {
            if (Files.exists(pendingPrecreated)) {
                log.error("Chronicle did not adopt {}: the cycle file it created is not reserved", pendingPrecreated);
            }
            pendingPrecreated = null;
        }
        if (end > reservedTo) {
            log.error("Chronicle wrote up to {} of {}, past the {} bytes reserved", end, file, reservedTo);
        }
        writtenTo = end;
    }

    /** Removes a pre-created cycle file no append used (the segment is sealed or closed). */
    void discardPending() {
        if (pendingPrecreated != null) {
            try {
                Files.deleteIfExists(pendingPrecreated);
            } catch (IOException e) {
                log.warn("Cannot remove {}: {}", pendingPrecreated, e.toString());
            }
            pendingPrecreated = null;
        }
    }

    /** The roll cycle of the file appends go to, {@link Integer#MIN_VALUE} before the first. */
    int cycle() {
        return cycle;
    }

    /**
     * Where the next excerpt's header goes in the current cycle file, as {@link #dataEnd(SingleChronicleQueue, int)}
     * would read it from the file (headers are 4-byte aligned).
     */
    long dataEnd() {
        return (writtenTo + 3) & ~3L;
    }

    /** How far the blocks of the current cycle file are allocated. */
    long reservedTo() {
        return reservedTo;
    }

    /** Bytes allocated ahead of the data in the current cycle file. */
    long reservedAhead() {
        return reservedTo - writtenTo;
    }

    private Path fileFor(int c) {
        return names.resourceFor(c).path.toPath();
    }

    /** Where the data of {@code cycle}'s file ends (after its last complete excerpt), or -1 if it has no file. */
    static long dataEnd(SingleChronicleQueue queue, int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return -1;
        }
        // store.bytes() maps a new view that holds the file open until released
        MappedBytes bytes = store.bytes();
        try {
            long position = store.writePosition();
            int header = bytes.readVolatileInt(position);
            long end = position + Wires.SPB_HEADER_SIZE + Wires.lengthOf(header);
            return (end + 3) & ~3L;   // the next header is 4-byte aligned
        } finally {
            bytes.releaseLast();
            queue.closeStore(store);
        }
    }

    @Override
    public String toString() {
        return "SegmentSpace{" + dir.getFileName() + " cycle=" + cycle + " written=" + writtenTo + " reserved="
                + reservedTo + "}";
    }
}
