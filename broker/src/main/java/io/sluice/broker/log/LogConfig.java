package io.sluice.broker.log;

import io.sluice.registry.TopicConfigs;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
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
 * after {@code sluice.log.} ({@code retention.ms}), see {@link #withOverrides(Map)}. Every setting but the retention
 * check interval is a topic config, declared (default and rule) once in {@link TopicConfigs}, where the nameserver
 * validates topic configs at creation: a value it accepts is one this class applies.
 *
 * <p>Fluent accessors without get/set prefixes; {@link #conclude()} validates once and names the offending key.
 * Mutable and not thread-safe while being built; treat a concluded instance as immutable and share it freely.
 */
public final class LogConfig {
    public static final String PREFIX = "sluice.log.";

    public static final String SEGMENT_BYTES = PREFIX + TopicConfigs.SEGMENT_BYTES.name();
    public static final long SEGMENT_BYTES_DEFAULT = TopicConfigs.SEGMENT_BYTES.defaultValue();
    public static final String SEGMENT_MS = PREFIX + TopicConfigs.SEGMENT_MS.name();
    public static final long SEGMENT_MS_DEFAULT = TopicConfigs.SEGMENT_MS.defaultValue();
    public static final String RETENTION_MS = PREFIX + TopicConfigs.RETENTION_MS.name();
    public static final long RETENTION_MS_DEFAULT = TopicConfigs.RETENTION_MS.defaultValue();
    public static final String RETENTION_BYTES = PREFIX + TopicConfigs.RETENTION_BYTES.name();
    public static final long RETENTION_BYTES_DEFAULT = TopicConfigs.RETENTION_BYTES.defaultValue();
    public static final String MAX_MESSAGE_BYTES = PREFIX + TopicConfigs.MAX_MESSAGE_BYTES.name();
    public static final int MAX_MESSAGE_BYTES_DEFAULT = TopicConfigs.MAX_MESSAGE_BYTES.defaultValue();
    /** Hard ceiling of {@link #MAX_MESSAGE_BYTES}: one batch is one Chronicle excerpt, which must fit a block. */
    public static final int MAX_MESSAGE_BYTES_LIMIT = TopicConfigs.MAX_MESSAGE_BYTES_LIMIT;
    public static final String ROLL_CYCLE = PREFIX + TopicConfigs.ROLL_CYCLE.name();
    public static final String ROLL_CYCLE_DEFAULT = TopicConfigs.ROLL_CYCLE.defaultValue();
    public static final String INDEX_INTERVAL_BYTES = PREFIX + TopicConfigs.INDEX_INTERVAL_BYTES.name();
    public static final int INDEX_INTERVAL_BYTES_DEFAULT = TopicConfigs.INDEX_INTERVAL_BYTES.defaultValue();
    public static final String RETENTION_CHECK_INTERVAL_MS = PREFIX + "retention.check.interval.ms";
    public static final long RETENTION_CHECK_INTERVAL_MS_DEFAULT = 60_000;

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

    /**
     * Like {@link #withOverrides(Map)}, but an override this broker cannot apply (unknown key, bad value: a topic
     * created before the nameserver validated configs as this class does) keeps this config's value and is handed to
     * {@code rejected} as the INVALID_CONFIG naming it, instead of failing the whole topic.
     */
    public LogConfig withApplicableOverrides(Map<String, String> topicConfigs,
                                             java.util.function.Consumer<SluiceException> rejected) {
        LogConfig c = copy();
        for (Map.Entry<String, String> e : topicConfigs.entrySet()) {
            String key = e.getKey().startsWith(PREFIX) ? e.getKey() : PREFIX + e.getKey();
            try {
                c.set(key, e.getValue());
            } catch (SluiceException bad) {
                rejected.accept(bad);
            }
        }
        return c.conclude();
    }

    /** Sets one setting from its text, parsed and checked by its {@link TopicConfigs} declaration. */
    private void set(String key, String value) {
        if (key.equals(SEGMENT_BYTES)) {
            segmentBytes = TopicConfigs.SEGMENT_BYTES.parse(key, value);
        } else if (key.equals(SEGMENT_MS)) {
            segmentMs = TopicConfigs.SEGMENT_MS.parse(key, value);
        } else if (key.equals(RETENTION_MS)) {
            retentionMs = TopicConfigs.RETENTION_MS.parse(key, value);
        } else if (key.equals(RETENTION_BYTES)) {
            retentionBytes = TopicConfigs.RETENTION_BYTES.parse(key, value);
        } else if (key.equals(MAX_MESSAGE_BYTES)) {
            maxMessageBytes = TopicConfigs.MAX_MESSAGE_BYTES.parse(key, value);
        } else if (key.equals(ROLL_CYCLE)) {
            rollCycle(TopicConfigs.ROLL_CYCLE.parse(key, value));
        } else if (key.equals(INDEX_INTERVAL_BYTES)) {
            indexIntervalBytes = TopicConfigs.INDEX_INTERVAL_BYTES.parse(key, value);
        } else if (key.equals(RETENTION_CHECK_INTERVAL_MS)) {
            retentionCheckIntervalMs = parseLong(key, value);
        } else {
            String name = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
            if (TopicConfigs.key(name).isPresent()) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "'" + name + "' is a replication setting, not a"
                        + " log setting");
            }
            String closest = TopicConfigs.closest(name);
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown log config key '" + name + "' (value '"
                    + value + "')" + (closest == null ? "" : "; did you mean '" + closest + "'?") + " known: segment.bytes,"
                    + " segment.ms, retention.ms, retention.bytes, max.message.bytes, roll.cycle, index.interval.bytes,"
                    + " retention.check.interval.ms");
        }
    }

    private static long parseLong(String key, String value) {
        String v = value == null ? "" : value.trim();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + v + " is invalid: must be an integer");
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

    /**
     * Chronicle block size for segments of this config: a block holds at least four of the largest batches (its
     * overlap, a quarter of it, bounds one excerpt), and is no larger than the segment needs, up to 64 MiB. Chronicle
     * maps a cycle file a block at a time, so small segments map little.
     */
    long chronicleBlockSize() {
        long block = 256L << 10;
        long wanted = Math.max(4L * maxMessageBytes, Math.min(64L << 20, segmentBytes));
        while (block < wanted) {
            block <<= 1;
        }
        return block;
    }

    /** Validates every value once (by the {@link TopicConfigs} rules); throws INVALID_CONFIG naming the key. */
    public LogConfig conclude() {
        TopicConfigs.SEGMENT_BYTES.check(SEGMENT_BYTES, segmentBytes);
        TopicConfigs.SEGMENT_MS.check(SEGMENT_MS, segmentMs);
        TopicConfigs.RETENTION_MS.check(RETENTION_MS, retentionMs);
        TopicConfigs.RETENTION_BYTES.check(RETENTION_BYTES, retentionBytes);
        TopicConfigs.MAX_MESSAGE_BYTES.check(MAX_MESSAGE_BYTES, maxMessageBytes);
        TopicConfigs.INDEX_INTERVAL_BYTES.check(INDEX_INTERVAL_BYTES, indexIntervalBytes);
        require(retentionCheckIntervalMs >= 1, RETENTION_CHECK_INTERVAL_MS, retentionCheckIntervalMs, "at least 1");
        rollCycle = TopicConfigs.ROLL_CYCLE.parse(ROLL_CYCLE, rollCycle);
        chronicleRollCycle = resolveRollCycle(rollCycle);
        return this;
    }

    /** The Chronicle roll cycle of that name ({@link TopicConfigs#ROLL_CYCLE_NAMES}); INVALID_CONFIG if none. */
    static RollCycle resolveRollCycle(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        for (RollCycle[] family : new RollCycle[][] {RollCycles.values(), TestRollCycles.values(),
                LargeRollCycles.values(), SparseRollCycles.values()}) {
            for (RollCycle rc : family) {
                if (((Enum<?>) rc).name().equals(n)) {
                    return rc;
                }
            }
        }
        throw new SluiceException(ErrorCode.INVALID_CONFIG, ROLL_CYCLE + "=" + name + " is invalid: must be "
                + TopicConfigs.ROLL_CYCLE.rule());
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
