package io.sluice.broker.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * The operating-system limits that cap how many partitions a broker can serve, and what it uses of them: the
 * process's open-files limit ({@code /proc/self/limits}, "Max open files") and the kernel's map count limit
 * ({@code /proc/sys/vm/max_map_count}), against the descriptors in {@code /proc/self/fd} and the lines of
 * {@code /proc/self/maps}.
 *
 * <p>An idle partition holds no file and no map (its segments close when idle, see {@link LogSegment}); a partition
 * being written or read holds {@value #FILES_PER_ACTIVE_PARTITION} descriptor (its cycle file, which the appender
 * and the readers share; the queue's table store is on the heap, {@link HeapTableStore}; the offset index is mapped
 * and its descriptor closed) and up to {@value #MAPS_PER_ACTIVE_PARTITION} maps (the offset index; the cycle-file
 * block the appender writes in, as two areas, its written pages and the unwritten ones advised apart by
 * {@link ReadAround.AheadOfWriter}; and a neighbouring block while a reader or the appender crosses into it),
 * measured with {@code /proc} on Chronicle Queue 5.27. So the capacity is the number of partitions
 * that can be active at once: the limits, less a reserve for sockets and the JVM, divided by those costs. Where
 * {@code /proc} is missing (not Linux) the numbers are -1 and nothing is checked. Stateless.
 */
public final class ProcessLimits {
    private static final Logger log = LoggerFactory.getLogger(ProcessLimits.class);
    static final int FILES_PER_ACTIVE_PARTITION = 1;
    static final int MAPS_PER_ACTIVE_PARTITION = 4;
    /** Descriptors kept for sockets (clients, replication, ZooKeeper) and the JVM. */
    static final int FILES_RESERVE = 1024;
    /** Maps kept for the JVM's own (heap, code, libraries, thread stacks). */
    static final int MAPS_RESERVE = 2048;

    private ProcessLimits() {
    }

    /** The soft open-files limit of this process, or -1 if unknown or unlimited. */
    public static long maxOpenFiles() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? -1 : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** vm.max_map_count, or -1 if unknown. */
    public static long maxMapCount() {
        try {
            // a line read, not Files.readString: procfs reports a size of 0 and a sized read may stop after a byte
            try (java.io.BufferedReader in = Files.newBufferedReader(Paths.get("/proc/sys/vm/max_map_count"))) {
                return Long.parseLong(in.readLine().trim());
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Descriptors this process holds open now, or -1 if unknown. */
    public static long openFiles() {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path ignored : fds) {
                n++;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Memory maps of this process now, or -1 if unknown. */
    public static long memoryMaps() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/self/maps"))) {
            return lines.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Partitions that can be active (written or read within the idle-close time) at once under these limits, or
     * -1 if the limits are unknown.
     */
    public static long partitionsCapacity(long maxOpenFiles, long maxMapCount) {
        long byFiles = maxOpenFiles < 0 ? Long.MAX_VALUE
                : Math.max(0, maxOpenFiles - FILES_RESERVE) / FILES_PER_ACTIVE_PARTITION;
        long byMaps = maxMapCount < 0 ? Long.MAX_VALUE : Math.max(0, maxMapCount - MAPS_RESERVE)
                / MAPS_PER_ACTIVE_PARTITION;
        long capacity = Math.min(byFiles, byMaps);
        return capacity == Long.MAX_VALUE ? -1 : capacity;
    }

    /** The capacity under this process's limits (see {@link #partitionsCapacity(long, long)}). */
    public static long partitionsCapacity() {
        return partitionsCapacity(maxOpenFiles(), maxMapCount());
    }

    /**
     * Logs one line comparing the partitions assigned here with the capacity: a warning if they exceed it (a burst
     * touching all of them would run out of descriptors or maps), info otherwise.
     */
    public static void check(int assignedPartitions) {
        long files = maxOpenFiles();
        long maps = maxMapCount();
        long capacity = partitionsCapacity(files, maps);
        List<Object> args = List.of(assignedPartitions, capacity, files, maps, FILES_PER_ACTIVE_PARTITION,
                MAPS_PER_ACTIVE_PARTITION, openFiles(), memoryMaps());
        String msg = "Partitions hosted: {}; active at once the limits allow about {} (open files limit {}, "
                + "vm.max_map_count {}; an active partition holds ~{} files and ~{} maps, an idle one none; now {} "
                + "files and {} maps open)";
        if (capacity >= 0 && assignedPartitions > capacity) {
            log.warn(msg + ": when more are busy at once, the least recently used close and reopen on use; raise "
                    + "the limits (ulimit -n, sysctl vm.max_map_count) if most partitions are busy at once",
                    args.toArray());
        } else {
            log.info(msg, args.toArray());
        }
    }
}
