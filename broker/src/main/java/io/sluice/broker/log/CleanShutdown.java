package io.sluice.broker.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clean-shutdown marker of a data directory: written once, atomically, after every log was flushed and closed,
 * it records for each partition where its log is known good (the recovery point, here its log end), its high
 * watermark and the extent of its unsealed last segment. A restart that finds it takes these as truth and opens no
 * segment to recover; it deletes the file before serving, so that a crash later is recovered as one.
 *
 * <pre>
 * file clean-shutdown in the data directory ({@link AtomicFile}, {@link KeyValueText}):
 * version=1
 * orders-0=5000:4990:4711:5000:81920:1700000000000:2048   recoveryPoint:highWatermark[:active segment extent]
 * orders-1=0:0                                             (a log without an unsealed segment)
 * </pre>
 * One file for the whole broker, instead of one write per partition, so a stop costs one fsync whatever the
 * number of partitions. Stateless.
 */
final class CleanShutdown {
    static final String FILE_NAME = "clean-shutdown";
    private static final Logger log = LoggerFactory.getLogger(CleanShutdown.class);

    /** What a clean shutdown recorded for one partition log. */
    record Entry(long recoveryPoint, long highWatermark, LogSegment.ActiveExtent active) {
    }

    private CleanShutdown() {
    }

    static void write(Path dataDir, Map<String, Entry> entries) throws IOException {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("version", 1);
        entries.forEach((dir, e) -> v.put(dir, e.recoveryPoint() + ":" + e.highWatermark()
                + (e.active() == null ? "" : ":" + PartitionMetadata.formatExtent(e.active()))));
        AtomicFile.write(dataDir.resolve(FILE_NAME), KeyValueText.format(v));
    }

    /**
     * The entries of the marker in {@code dataDir}, by partition directory name, or an empty map if there is none
     * (the last stop was not clean) or it cannot be read; the marker is deleted either way, durably, before this
     * returns.
     */
    static Map<String, Entry> readAndRemove(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        Map<String, Entry> out = new HashMap<>();
        try {
            String text = AtomicFile.read(file);
            if (text == null) {
                return out;
            }
            Map<String, String> v = KeyValueText.parse(text);
            v.remove("version");
            for (Map.Entry<String, String> e : v.entrySet()) {
                String[] f = e.getValue().split(":", 3);
                LogSegment.ActiveExtent active = f.length == 3 ? PartitionMetadata.parseExtent(f[2]) : null;
                out.put(e.getKey(), new Entry(Long.parseLong(f[0]), Long.parseLong(f[1]), active));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot read the clean-shutdown marker {} ({}); recovering every log as after a crash", file,
                    e.toString());
            out.clear();
        }
        try {
            Files.deleteIfExists(file);
            AtomicFile.fsyncDirectory(dataDir);
        } catch (IOException e) {
            throw FileSpace.error("cannot remove the clean-shutdown marker " + file, e);
        }
        return out;
    }
}
