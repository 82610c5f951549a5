package io.sluice.broker.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A new segment's offset index is mapped with read-around turned off ({@code MADV_RANDOM}, shown as {@code rr} in
 * the map's flags in {@code /proc/self/smaps}), and the pages Chronicle writes first in a new cycle file are in the
 * page cache before Chronicle maps the file; so neither first touch makes the kernel fill a read-ahead window of the
 * file with zeros (for the cycle file, checked with mincore: a MiB well past what was written is not cached).
 * The pages ahead of an appender that keeps writing are not read around either ({@link ReadAround.AheadOfWriter}).
 * Read-around spans the device's read_ahead_kb, so on a device with the default 128 KiB the mincore checks pass either
 * way; on this project's test machine (8 MiB) they fail without the advice.
 */
class ReadAroundTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    /** One mapping of {@code /proc/self/smaps}: its header line and the lines of fields after it. */
    private record Mapping(String header, List<String> fields) {
        String field(String name) {
            for (String f : fields) {
                if (f.startsWith(name + ":")) {
                    return f.substring(name.length() + 1).trim();
                }
            }
            return null;
        }
    }

    private static List<Mapping> mappingsOf(Path file) throws IOException {
        List<Mapping> out = new ArrayList<>();
        Mapping current = null;
        String name = file.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Paths.get("/proc/self/smaps"))) {
            boolean header = Character.isLetterOrDigit(line.charAt(0)) && line.contains("-")
                    && line.indexOf(':') > line.indexOf(' ');
            if (header) {
                current = line.endsWith(name) ? new Mapping(line, new ArrayList<>()) : null;
                if (current != null) {
                    out.add(current);
                }
            } else if (current != null) {
                current.fields().add(line);
            }
        }
        return out;
    }

    /**
     * True if all of {@code [from, from + length)} of {@code file} is in the page cache (mincore through
     * {@link MappedByteBuffer#isLoaded()}; mapping the range read-only touches nothing).
     */
    private static boolean cached(Path file, long from, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, from, length);
            try {
                return map.isLoaded();
            } finally {
                MappedBuffers.unmap(map);
            }
        }
    }

    @Test
    void newSegmentFilesAreFaultedInWithoutReadingAroundTheirFirstPages() throws IOException {
        assumeTrue(Files.exists(Paths.get("/proc/self/smaps")), "needs Linux's /proc/self/smaps");
        assumeTrue(FileSpace.posix() != null, "needs the native posix binding");
        // the default segment size: an 8 MiB index and 80 MiB cycle-file maps, larger than any read-ahead window
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.defaults(), clock);
        PartitionLogTest.append(log, clock.millis(), "a", "b", "c");
        assertThat(PartitionLogTest.readAll(log, 0, Long.MAX_VALUE)).containsExactly("a", "b", "c");

        Path segment = dir.resolve("t-0").resolve(LogSegment.dirName(0));
        List<Mapping> index = mappingsOf(segment.resolve(OffsetIndex.FILE_NAME));
        assertThat(index).as("the offset index is mapped").hasSize(1);
        assertThat(index.get(0).field("VmFlags")).as("its map's flags").contains("rr");


        Path cycleFile;
        try (var files = Files.list(segment)) {
            cycleFile = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        assertThat(mappingsOf(cycleFile)).as("the cycle file is mapped").isNotEmpty();
        assertThat(cached(cycleFile, 1 << 20, 1 << 20))
                .as("a MiB of the cycle file well past what the append wrote, in the page cache").isFalse();
    }

    /**
     * Past the first pages, an appender that keeps writing faults in only the pages it writes: the unwritten rest of
     * its block is advised random, and the written part gets read-around back (for readers of older data).
     */
    @Test
    void anAppenderFaultsInOnlyThePagesItWrites() throws IOException {
        assumeTrue(Files.exists(Paths.get("/proc/self/smaps")), "needs Linux's /proc/self/smaps");
        assumeTrue(FileSpace.posix() != null, "needs the native posix binding");
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.defaults(), clock);
        String value = "v".repeat(4000);
        int batches = 400;   // about 1.6 MiB, well past the pages read ahead of the first append
        for (int i = 0; i < batches; i++) {
            PartitionLogTest.append(log, clock.millis(), value);
        }
        assertThat(PartitionLogTest.readAll(log, batches - 1, Long.MAX_VALUE)).containsExactly(value);

        Path segment = dir.resolve("t-0").resolve(LogSegment.dirName(0));
        Path cycleFile;
        try (var files = Files.list(segment)) {
            cycleFile = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        long written = 400L * 4000;
        assertThat(cached(cycleFile, written + (1 << 20), 1 << 20))
                .as("a MiB of the cycle file a MiB past what the appends wrote, in the page cache").isFalse();
        List<String> flags = mappingsOf(cycleFile).stream().map(m -> m.field("VmFlags")).toList();
        assertThat(flags).as("the cycle file's mapped areas' flags: the unwritten part random, the written part not")
                .anyMatch(f -> f.contains("rr")).anyMatch(f -> !f.contains("rr"));
    }
}
