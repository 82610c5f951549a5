package io.sluice.broker.log;

import io.sluice.broker.log.LeaderEpochCache.EpochEntry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpointed state of one partition log besides its segments.
 *
 * <pre>
 * file partition.meta in the partition directory, written atomically ({@link AtomicFile}):
 * version=1
 * logStartOffset=0        first offset readers may ask for
 * highWatermark=0         last checkpointed high watermark (the live one is kept in memory)
 * recoveryPoint=0         offsets below it were flushed to disk; recovery checks checksums from here
 * cleanShutdown=false     true only between a clean close and the next open
 * leaderEpochs=0:0,3:120  epoch:startOffset pairs, oldest first
 * active=4711:5000:81920:1700000000000:2048   with cleanShutdown=true: the unsealed last segment's base offset,
 *                         end offset, bytes, max timestamp and bytes since its last index entry, so that opening
 *                         the log needs no look into Chronicle (absent otherwise); ":sealed" appended when that
 *                         segment is sealed in memory only (recovered after a crash, its seal not yet written)
 * </pre>
 * A broker shutting down cleanly records the same state for all its partitions in one file instead
 * ({@link CleanShutdown}). Immutable.
 */
record PartitionMetadata(long logStartOffset, long highWatermark, long recoveryPoint, boolean cleanShutdown,
                         List<EpochEntry> leaderEpochs, LogSegment.ActiveExtent active) {
    static final String FILE_NAME = "partition.meta";

    PartitionMetadata(long logStartOffset, long highWatermark, long recoveryPoint, boolean cleanShutdown,
                      List<EpochEntry> leaderEpochs) {
        this(logStartOffset, highWatermark, recoveryPoint, cleanShutdown, leaderEpochs, null);
    }

    static PartitionMetadata initial() {
        return new PartitionMetadata(0, 0, 0, false, List.of());
    }

    /**
     * This metadata taken over by the state a clean shutdown recorded: the recovery point and high watermark it
     * names, and the extent of the last segment.
     */
    PartitionMetadata cleanlyShut(long recoveryPoint, long highWatermark, LogSegment.ActiveExtent active) {
        return new PartitionMetadata(logStartOffset, Math.max(this.highWatermark, highWatermark), recoveryPoint, true,
                leaderEpochs, active);
    }

    /** The metadata in {@code dir}, or null if there is none. */
    static PartitionMetadata read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            String text = AtomicFile.read(file);
            if (text == null) {
                return null;
            }
            Map<String, String> v = KeyValueText.parse(text);
            List<EpochEntry> epochs = new ArrayList<>();
            String list = v.getOrDefault("leaderEpochs", "");
            for (String pair : list.split(",")) {
                if (!pair.isBlank()) {
                    int colon = pair.indexOf(':');
                    epochs.add(new EpochEntry(Integer.parseInt(pair.substring(0, colon).trim()),
                            Long.parseLong(pair.substring(colon + 1).trim())));
                }
            }
            boolean clean = Boolean.parseBoolean(v.get("cleanShutdown"));
            String active = v.get("active");
            return new PartitionMetadata(KeyValueText.longValue(v, "logStartOffset"),
                    KeyValueText.longValue(v, "highWatermark"), KeyValueText.longValue(v, "recoveryPoint"),
                    clean, List.copyOf(epochs), clean && active != null ? parseExtent(active) : null);
        } catch (IOException | RuntimeException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot read partition metadata " + file + ": " + e, e);
        }
    }

    static LogSegment.ActiveExtent parseExtent(String text) {
        String[] f = text.split(":");
        if (f.length != 5 && !(f.length == 6 && f[5].equals("sealed"))) {
            throw new IllegalArgumentException("malformed segment extent '" + text + "'");
        }
        return new LogSegment.ActiveExtent(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[4]), f.length == 6);
    }

    static String formatExtent(LogSegment.ActiveExtent a) {
        return a.baseOffset() + ":" + a.endOffset() + ":" + a.sizeInBytes() + ":" + a.maxTimestamp() + ":"
                + a.bytesSinceIndexEntry() + (a.sealed() ? ":sealed" : "");
    }

    void write(Path dir) {
        write(dir, true);
    }

    /** Writes the file, forced to disk only if {@code durable} ({@link AtomicFile#write(Path, String, boolean)}). */
    void write(Path dir, boolean durable) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("version", 1);
        v.put("logStartOffset", logStartOffset);
        v.put("highWatermark", highWatermark);
        v.put("recoveryPoint", recoveryPoint);
        v.put("cleanShutdown", cleanShutdown);
        StringBuilder epochs = new StringBuilder();
        for (EpochEntry e : leaderEpochs) {
            if (epochs.length() > 0) {
                epochs.append(',');
            }
            epochs.append(e.epoch()).append(':').append(e.startOffset());
        }
        v.put("leaderEpochs", epochs);
        if (cleanShutdown && active != null) {
            v.put("active", formatExtent(active));
        }
        try {
            AtomicFile.write(dir.resolve(FILE_NAME), KeyValueText.format(v), durable);
        } catch (IOException e) {
            throw FileSpace.error("cannot write partition metadata in " + dir, e);
        }
    }
}
