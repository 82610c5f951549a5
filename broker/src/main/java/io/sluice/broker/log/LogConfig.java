package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.util.Locale;
import java.util.Map;

/**
 * Settings of a partition log: segment rolling, retention, the largest batch accepted and the Chronicle roll cycle.
 * Broker-wide defaults use the full keys ({@code sluice.log.retention.ms}); per-topic overrides use the short name
 * after {@code sluice.log.} ({@code retention.ms}), see {@link #withOverrides(Map)}.
 *
 * <p>Fluent accessors without get/set prefixes; {@link #conclude()} validates once and names the offending key.
 * Mutable and not thread-safe while being built; treat a concluded instance as immutable and share it freely.
 */
public final class LogConfig {
    public static final String PREFIX = "sluice.log.";

    public static final String SEGMENT_BYTES = PREFIX + "segment.bytes";
    public static final long SEGMENT_BYTES_DEFAULT = 1L << 30;
    public static final String SEGMENT_MS = PREFIX + "segment.ms";
    public static final long SEGMENT_MS_DEFAULT = 7L * 24 * 3600 * 1000;
    public static final String RETENTION_MS = PREFIX + "retention.ms";
    public static final long RETENTION_MS_DEFAULT = 7L * 24 * 3600 * 1000;
    public static final String RETENTION_BYTES = PREFIX + "retention.bytes";
    public static final long RETENTION_BYTES_DEFAULT = -1;
    public static final String MAX_MESSAGE_BYTES = PREFIX + "max.message.bytes";
    public static final int MAX_MESSAGE_BYTES_DEFAULT = (1 << 20) + 1024;
    /** Hard ceiling of {@link #MAX_MESSAGE_BYTES}: one batch is one Chronicle excerpt, which must fit a block. */
    public static final int MAX_MESSAGE_BYTES_LIMIT = 64 << 20;
    public static final String ROLL_CYCLE = PREFIX + "roll.cycle";
    public static final String ROLL_CYCLE_DEFAULT = "FAST_HOURLY";
    public static final String INDEX_INTERVAL_BYTES = PREFIX + "index.interval.bytes";
    public static final int INDEX_INTERVAL_BYTES_DEFAULT = 4096;
    public static final String RETENTION_CHECK_INTERVAL_MS = PREFIX + "retention.check.interval.ms";
    public static final long RETENTION_CHECK_INTERVAL_MS_DEFAULT = 60_000;

    private static final long MIN_SEGMENT_BYTES = 1024;

    private long segmentBytes = SEGMENT_BYTES_DEFAULT;
    private long segmentMs = SEGMENT_MS_DEFAULT;
    private long retentionMs = RETENTION_MS_DEFAULT;
    private long retentionBytes = RETENTION_BYTES_DEFAULT;
    private int maxMessageBytes = MAX_MESSAGE_BYTES_DEFAULT;
    private String rollCycle = ROLL_CYCLE_DEFAULT;
    private int indexIntervalBytes = INDEX_INTERVAL_BYTES_DEFAULT;
    private long retentionCheckIntervalMs = RETENTION_CHECK_INTERVAL_MS_DEFAULT;
    private RollCycle chronicleRollCycle;

    /** A config holding every default. */
    public static LogConfig defaults() {
        return new LogConfig();
    }

    /**
     * Reads the {@code sluice.log.*} keys of {@code properties} over the defaults and concludes; other keys are
     * ignored.
     */
    public static LogConfig fromProperties(Map<String, String> properties) {
        LogConfig config = new LogConfig();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey().startsWith(PREFIX)) {
                config.set(e.getKey(), e.getValue());
            }
        }
        return config.conclude();
    }

    /** A copy of this config. */
    public LogConfig copy() {
        LogConfig c = new LogConfig();
        c.segmentBytes = segmentBytes;
        c.segmentMs = segmentMs;
        c.retentionMs = retentionMs;
        c.retentionBytes = retentionBytes;
        c.maxMessageBytes = maxMessageBytes;
        c.rollCycle = rollCycle;
        c.indexIntervalBytes = indexIntervalBytes;
        c.retentionCheckIntervalMs = retentionCheckIntervalMs;
        c.chronicleRollCycle = chronicleRollCycle;
        return c;
    }

    /**
     * A concluded copy of this config with a topic's overrides applied. Keys are the short names after
     * {@code sluice.log.} (e.g. {@code retention.ms}); full keys are accepted too. This config is not changed.
     *
     * @throws SluiceException INVALID_CONFIG naming the key and value for an unknown key or a bad value
     */
    public LogConfig withOverrides(Map<String, String> topicConfigs) {
        LogConfig c = copy();
        for (Map.Entry<String, String> e : topicConfigs.entrySet()) {
            String key = e.getKey().startsWith(PREFIX) ? e.getKey() : PREFIX + e.getKey();
            c.set(key, e.getValue());
        }
        return c.conclude();
    }

    private void set(String key, String value) {
        String v = value == null ? "" : value.trim();
        switch (key) {
            case SEGMENT_BYTES -> segmentBytes = parseLong(key, v);
            case SEGMENT_MS -> segmentMs = parseLong(key, v);
            case RETENTION_MS -> retentionMs = parseLong(key, v);
            case RETENTION_BYTES -> retentionBytes = parseLong(key, v);
            case MAX_MESSAGE_BYTES -> maxMessageBytes = parseInt(key, v);
            case ROLL_CYCLE -> rollCycle(v);
            case INDEX_INTERVAL_BYTES -> indexIntervalBytes = parseInt(key, v);
            case RETENTION_CHECK_INTERVAL_MS -> retentionCheckIntervalMs = parseLong(key, v);
            default -> throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown log config key '"
                    + key.substring(PREFIX.length()) + "' (value '" + v + "'); known keys: segment.bytes, segment.ms, "
                    + "retention.ms, retention.bytes, max.message.bytes, roll.cycle, index.interval.bytes, "
                    + "retention.check.interval.ms");
        }
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be an integer");
        }
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value
                    + " is invalid: must be an integer of at most " + Integer.MAX_VALUE);
        }
    }

    /** A segment rolls once its batches would pass this many bytes. */
    public long segmentBytes() {
        return segmentBytes;
    }

    public LogConfig segmentBytes(long value) {
        this.segmentBytes = value;
        return this;
    }

    /** A segment rolls once its first batch is this old (by the log's clock), even if not full. */
    public long segmentMs() {
        return segmentMs;
    }

    public LogConfig segmentMs(long value) {
        this.segmentMs = value;
        return this;
    }

    /** Segments whose newest record timestamp is older than this are deleted; -1 keeps them forever. */
    public long retentionMs() {
        return retentionMs;
    }

    public LogConfig retentionMs(long value) {
        this.retentionMs = value;
        return this;
    }

    /** Oldest segments are deleted while the log stays at least this large without them; -1 means no limit. */
    public long retentionBytes() {
        return retentionBytes;
    }

    public LogConfig retentionBytes(long value) {
        this.retentionBytes = value;
        return this;
    }

    /** Largest batch a leader accepts, header included; larger ones are refused with RECORD_TOO_LARGE. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public LogConfig maxMessageBytes(int value) {
        this.maxMessageBytes = value;
        return this;
    }

    /** Name of the Chronicle roll cycle of new segments (e.g. FAST_HOURLY, FAST_DAILY, TEST_SECONDLY). */
    public String rollCycle() {
        return rollCycle;
    }

    public LogConfig rollCycle(String name) {
        this.rollCycle = name;
        this.chronicleRollCycle = null;
        return this;
    }

    /** Bytes of batches between two entries of a segment's offset index. */
    public int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    public LogConfig indexIntervalBytes(int value) {
        this.indexIntervalBytes = value;
        return this;
    }

    /** How often the broker runs retention (and checkpoints partition metadata). */
    public long retentionCheckIntervalMs() {
        return retentionCheckIntervalMs;
    }

    public LogConfig retentionCheckIntervalMs(long value) {
        this.retentionCheckIntervalMs = value;
        return this;
    }

    /** The Chronicle roll cycle named by {@link #rollCycle()}; valid after {@link #conclude()}. */
    RollCycle chronicleRollCycle() {
        if (chronicleRollCycle == null) {
            chronicleRollCycle = resolveRollCycle(rollCycle);
        }
        return chronicleRollCycle;
    }

    /** Chronicle block size for segments of this config: a block holds at least four of the largest batches. */
    long chronicleBlockSize() {
        long block = 64L << 20;
        while (block < 4L * maxMessageBytes) {
            block <<= 1;
        }
        return block;
    }

    /** Validates every value once; throws INVALID_CONFIG naming the key. */
    public LogConfig conclude() {
        require(segmentBytes >= MIN_SEGMENT_BYTES, SEGMENT_BYTES, segmentBytes, "at least " + MIN_SEGMENT_BYTES);
        require(segmentMs >= 1, SEGMENT_MS, segmentMs, "at least 1");
        require(retentionMs == -1 || retentionMs >= 0, RETENTION_MS, retentionMs, "-1 (forever) or at least 0");
        require(retentionBytes == -1 || retentionBytes >= 0, RETENTION_BYTES, retentionBytes,
                "-1 (unlimited) or at least 0");
        require(maxMessageBytes >= RecordBatch.HEADER_SIZE && maxMessageBytes <= MAX_MESSAGE_BYTES_LIMIT,
                MAX_MESSAGE_BYTES, maxMessageBytes, "between " + RecordBatch.HEADER_SIZE + " and "
                        + MAX_MESSAGE_BYTES_LIMIT);
        require(indexIntervalBytes >= 0, INDEX_INTERVAL_BYTES, indexIntervalBytes, "at least 0");
        require(retentionCheckIntervalMs >= 1, RETENTION_CHECK_INTERVAL_MS, retentionCheckIntervalMs, "at least 1");
        chronicleRollCycle = resolveRollCycle(rollCycle);
        return this;
    }

    private static RollCycle resolveRollCycle(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        for (RollCycle[] family : new RollCycle[][] {RollCycles.values(), TestRollCycles.values(),
                LargeRollCycles.values(), SparseRollCycles.values()}) {
            for (RollCycle rc : family) {
                if (((Enum<?>) rc).name().equals(n)) {
                    return rc;
                }
            }
        }
        throw new SluiceException(ErrorCode.INVALID_CONFIG, ROLL_CYCLE + "=" + name + " is invalid: must name a "
                + "Chronicle roll cycle such as FIVE_MINUTELY, FAST_HOURLY, FAST_DAILY, LARGE_HOURLY or TEST_SECONDLY");
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }

    @Override
    public String toString() {
        return "LogConfig{segment.bytes=" + segmentBytes + ", segment.ms=" + segmentMs + ", retention.ms="
                + retentionMs + ", retention.bytes=" + retentionBytes + ", max.message.bytes=" + maxMessageBytes
                + ", roll.cycle=" + rollCycle + ", index.interval.bytes=" + indexIntervalBytes
                + ", retention.check.interval.ms=" + retentionCheckIntervalMs + "}";
    }
}
