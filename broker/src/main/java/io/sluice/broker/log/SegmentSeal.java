package io.sluice.broker.log;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seal of a segment that takes no more appends: where its readable data ends and what it holds. A segment is
 * sealed when the log rolls past it, when the log is truncated inside it (Chronicle cannot shorten a queue, so the
 * seal hides the excerpts at and after {@code endOffset}), and when recovery finds it was the active segment of a
 * process that did not shut down cleanly. Readers and recovery never look past a seal.
 *
 * <pre>
 * file segment.seal in the segment directory, written atomically ({@link AtomicFile}):
 * version=1
 * endOffset=1234        offset after the last readable record
 * sizeInBytes=56789     bytes of the batches below endOffset
 * maxTimestamp=...      largest record timestamp below endOffset (Long.MIN_VALUE if empty)
 * </pre>
 * Immutable.
 */
record SegmentSeal(long endOffset, long sizeInBytes, long maxTimestamp) {
    static final String FILE_NAME = "segment.seal";

    /** The seal in {@code segmentDir}, or null if the segment is not sealed. */
    static SegmentSeal read(Path segmentDir) throws IOException {
        String text = AtomicFile.read(segmentDir.resolve(FILE_NAME));
        if (text == null) {
            return null;
        }
        try {
            Map<String, String> v = KeyValueText.parse(text);
            return new SegmentSeal(KeyValueText.longValue(v, "endOffset"), KeyValueText.longValue(v, "sizeInBytes"),
                    KeyValueText.longValue(v, "maxTimestamp"));
        } catch (IllegalArgumentException e) {
            throw new IOException("unreadable seal " + segmentDir.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }

    void write(Path segmentDir) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("version", 1);
        v.put("endOffset", endOffset);
        v.put("sizeInBytes", sizeInBytes);
        v.put("maxTimestamp", maxTimestamp);
        try {
            AtomicFile.write(segmentDir.resolve(FILE_NAME), KeyValueText.format(v));
        } catch (IOException e) {
            throw FileSpace.error("cannot write seal in " + segmentDir, e);
        }
    }

    static boolean exists(Path segmentDir) {
        return Files.exists(segmentDir.resolve(FILE_NAME));
    }
}
