package io.sluice.broker.log;

import net.openhft.chronicle.core.Jvm;
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
 * Pages past that first range are faulted in with read-around as Chronicle reaches them, which for a partition that
 * keeps writing is ordinary read-ahead of pages it is about to use.
 *
 * <p>Advice only: where the binding or the call is missing, nothing changes but the cost. Thread-safe.
 */
final class ReadAround {
    private static final Logger log = LoggerFactory.getLogger(ReadAround.class);
    private static final int CHUNK = 64 << 10;
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK));
    private static volatile boolean adviseFailed;

    private ReadAround() {
    }

    /** Turns off read-around for the pages of {@code map} (a whole mapping, from an aligned file offset). */
    static void disable(MappedByteBuffer map) {
        PosixAPI api = FileSpace.posix();
        if (api == null || adviseFailed || map.capacity() == 0) {
            return;
        }
        try {
            if (api.madvise(Jvm.address(map), map.capacity(), MAdviseFlag.MADV_RANDOM) != 0) {
                adviseFailed("madvise returned " + api.strerror(api.lastError()));
            }
        } catch (Throwable e) {
            adviseFailed(e.toString());
        }
    }

    private static void adviseFailed(String why) {
        if (!adviseFailed) {
            adviseFailed = true;
            log.info("Cannot advise the kernel on mapped offset indexes ({}); the first touch of each reads around it",
                    why);
        }
    }

    /**
     * Reads {@code [0, length)} of {@code file} into the page cache, so that the first faults of a map over it
     * find their pages there. A file that cannot be read is left alone (the map will fault it in as usual).
     */
    static void cache(Path file, long length) {
        ByteBuffer buf = SCRATCH.get();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = 0;
            while (at < length) {
                buf.clear().limit((int) Math.min(CHUNK, length - at));
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
}
