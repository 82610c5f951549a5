package io.sluice.broker.log;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps the kernel from reading around the first touch of a segment's memory-mapped files.
 *
 * <p>Why: a fault on a mapped page that is not in the page cache makes Linux read around it, a window of the
 * device's {@code read_ahead_kb} (128 KiB by default; 8 MiB on some virtual disks, this project's test machine among
 * them), and for the sparse or fallocated ranges of a new file that means zero-filling the whole window. A new
 * segment maps two such files, its Chronicle cycle file and its offset index, so each new partition cost the kernel
 * 16 MiB of zeroed page cache and 5 ms of CPU (measured: 2.3 ms for the first touch of a new 80 MiB mapping at
 * 8 MiB read-ahead, 65 us at 128 KiB); at 10,000 partitions that is more page cache than the machine has, and
 * creating them was bound by it.
 *
 * <p>How, for each file:
 * <ul>
 *   <li>the offset index ({@link OffsetIndex}) is advised {@code MADV_RANDOM} as soon as it is mapped: lookups are
 *       binary searches and appends add one entry at a time, so read-around never helps it;</li>
 *   <li>the files Chronicle maps (each new cycle file, created by {@link SegmentSpace} before
 *       Chronicle adopts them) have the range Chronicle writes first read into the page cache through a channel
 *       before Chronicle maps them: the read stops at the file's end (the file is no longer than that range then),
 *       and a fault on a cached page reads nothing around it. Reading a fallocated range does no disk I/O.</li>
 * </ul>
 * Past that first range, the pages of a cycle file that Chronicle has not written yet are advised {@code MADV_RANDOM}
 * ({@link AheadOfWriter}): a write into one of them faults in that page alone, zero-filled, instead of the whole window
 * around it. Read-around is left on for what is written, which readers of older data (a lagging consumer whose pages
 * were evicted) want.
 *
 * <p>Why for every page, not just the first: the window is filled whether or not the pages are ever written, so a
 * partition that wrote 100 KiB held 8 MiB of zeroed page cache; at 1,000 partitions written round-robin that is 8 GB,
 * and on this machine's virtual memory (each fresh guest page costs a host fault) the broker's I/O thread spent
 * 97% of its time in the kernel zeroing read-around windows, stalled for 50 to 67 s at a time (measured with 1,000,000
 * records over 1,000 partitions; the producer's requests timed out meanwhile).
 *
 * <p>Advice only: where the binding or the call is missing, nothing changes but the cost. Thread-safe.
 */
final class ReadAround {
    private static final Logger log = LoggerFactory.getLogger(ReadAround.class);
    private static final int CHUNK = 64 << 10;
    private static final long PAGE = OS.pageSize();
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK));
    private static volatile boolean adviseFailed;

    private ReadAround() {
    }

    /** Turns off read-around for the pages of {@code map} (a whole mapping, from an aligned file offset). */
    static void disable(MappedByteBuffer map) {
        if (map.capacity() > 0) {
            advise(Jvm.address(map), map.capacity(), MAdviseFlag.MADV_RANDOM);
        }
    }

    /**
     * Gives the pages of {@code [address, address + length)} (page-aligned, inside one mapping) the read-around
     * {@code flag} asks for; false if the advice could not be given.
     */
    static boolean advise(long address, long length, MAdviseFlag flag) {
        PosixAPI api = FileSpace.posix();
        if (api == null || adviseFailed || length <= 0) {
            return false;
        }
        try {
            if (api.madvise(address, length, flag) != 0) {
                adviseFailed("madvise returned " + api.strerror(api.lastError()));
                return false;
            }
            return true;
        } catch (Throwable e) {
            adviseFailed(e.toString());
            return false;
        }
    }

    private static void adviseFailed(String why) {
        if (!adviseFailed) {
            adviseFailed = true;
            log.info("Cannot advise the kernel on mapped segment files ({}); a first touch of their pages reads "
                    + "around it", why);
        }
    }

    /**
     * Reads {@code [0, length)} of {@code file} into the page cache, so that the first faults of a map over it
     * find their pages there. A file that cannot be read is left alone (the map will fault it in as usual).
     */
    static void cache(Path file, long length) {
        cache(file, 0, length);
    }

    /**
     * Reads {@code [from, to)} of {@code file} into the page cache. From an offset other than 0 the kernel reads
     * just what is asked (a lone read is not read ahead), so a map's first fault there reads nothing around it.
     */
    static void cache(Path file, long from, long to) {
        ByteBuffer buf = SCRATCH.get();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = from;
            while (at < to) {
                buf.clear().limit((int) Math.min(CHUNK, to - at));
                int n = ch.read(buf, at);
                if (n <= 0) {
                    return;
                }
                at += n;
            }
        } catch (IOException e) {
            log.debug("Cannot read {} ahead of its map: {}", file, e.toString());
        }
    }

    /**
     * Keeps one segment's appender from reading around the unwritten pages ahead of it: each Chronicle block (one
     * mapping of its cycle file) is advised {@code MADV_RANDOM} from the write position to its end when the appender
     * first writes in it, and the advice is taken back ({@code MADV_NORMAL}) from the pages the appender has since
     * written, once per {@link #NORMAL_STEP} bytes, so they keep ordinary read-ahead for readers. A block therefore
     * maps as at most two areas (written, unwritten). The first fault in a new block, inside the append that reaches
     * it, still reads around once.
     *
     * <p>Not thread-safe: used under the log's append lock, right after an append, while the appender holds the block.
     */
    static final class AheadOfWriter {
        /** How far the write position moves before the pages behind it get read-around back. */
        static final long NORMAL_STEP = 1 << 20;

        private BytesStore<?, ?> block;
        private long blockStart;
        private long blockEnd;
        private long base;
        /** File position (page-aligned) from which the block is advised random. */
        private long randomFrom;

        /**
         * After an append that left the writer at file position {@code writePosition} in {@code current}, the block
         * it wrote into.
         */
        void afterAppend(BytesStore<?, ?> current, long writePosition) {
            if (current != block) {
                block = current;
                blockStart = current.start();
                blockEnd = blockStart + current.realCapacity();
                base = current.addressForRead(blockStart);
                randomFrom = pageFloor(Math.max(blockStart, writePosition));
                if (randomFrom < blockEnd) {
                    advise(base + (randomFrom - blockStart), blockEnd - randomFrom, MAdviseFlag.MADV_RANDOM);
                }
                return;
            }
            long written = pageFloor(Math.min(writePosition, blockEnd));
            if (written - randomFrom >= NORMAL_STEP) {
                advise(base + (randomFrom - blockStart), written - randomFrom, MAdviseFlag.MADV_NORMAL);
                randomFrom = written;
            }
        }

        private static long pageFloor(long position) {
            return position & -PAGE;
        }
    }
}
