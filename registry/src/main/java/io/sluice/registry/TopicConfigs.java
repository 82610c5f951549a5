package io.sluice.registry;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every per-topic setting, declared once: key, type, default and rule. A topic's configs live with its metadata in
 * the registry; the nameserver validates them here when a topic is created, and the broker parses them here when it
 * applies them (its {@code sluice.log.*} defaults are the same settings under a prefix), so a value the nameserver
 * accepts is one every broker can apply.
 *
 * <p>Log settings (the broker's {@code LogConfig}): {@link #SEGMENT_BYTES}, {@link #SEGMENT_MS},
 * {@link #RETENTION_MS}, {@link #RETENTION_BYTES}, {@link #MAX_MESSAGE_BYTES}, {@link #ROLL_CYCLE},
 * {@link #INDEX_INTERVAL_BYTES}. Replication settings: {@link #MIN_INSYNC_REPLICAS},
 * {@link #UNCLEAN_LEADER_ELECTION_ENABLE}. The roll cycle names are Chronicle Queue's (this module does not depend on
 * it; the broker's tests check that the list matches the Chronicle version it runs).
 *
 * <p>Immutable and thread-safe.
 */
public final class TopicConfigs {
    /** Hard ceiling of {@link #MAX_MESSAGE_BYTES}: one batch is one Chronicle excerpt, which must fit a block. */
    public static final int MAX_MESSAGE_BYTES_LIMIT = 64 << 20;
    /** Smallest {@link #SEGMENT_BYTES}. */
    public static final long MIN_SEGMENT_BYTES = 1024;
    /** The Chronicle roll cycles a segment may use: RollCycles, TestRollCycles, LargeRollCycles, SparseRollCycles. */
    public static final List<String> ROLL_CYCLE_NAMES = List.of(
            "FIVE_MINUTELY", "TEN_MINUTELY", "TWENTY_MINUTELY", "HALF_HOURLY", "FAST_HOURLY", "TWO_HOURLY",
            "FOUR_HOURLY", "SIX_HOURLY", "FAST_DAILY", "WEEKLY",
            "TEST_SECONDLY", "TEST4_SECONDLY", "TEST_HOURLY", "TEST_DAILY", "TEST2_DAILY", "TEST4_DAILY", "TEST8_DAILY",
            "LARGE_HOURLY", "LARGE_DAILY", "XLARGE_DAILY", "HUGE_DAILY",
            "SMALL_DAILY", "LARGE_HOURLY_SPARSE", "LARGE_HOURLY_XSPARSE", "HUGE_DAILY_XSPARSE");

    private static final Map<String, Key<?>> KEYS = new LinkedHashMap<>();

    /** A segment rolls once its batches would pass this many bytes. */
    public static final Key<Long> SEGMENT_BYTES = log(new Key<>("segment.bytes", 1L << 30, TopicConfigs::parseLong,
            v -> v >= MIN_SEGMENT_BYTES, "an integer of at least " + MIN_SEGMENT_BYTES));
    /** A segment rolls once its first batch is this old, even if not full. */
    public static final Key<Long> SEGMENT_MS = log(new Key<>("segment.ms", 7L * 24 * 3600 * 1000,
            TopicConfigs::parseLong, v -> v >= 1, "an integer of at least 1"));
    /** Segments whose newest record is older than this are deleted; -1 keeps them forever. */
    public static final Key<Long> RETENTION_MS = log(new Key<>("retention.ms", 7L * 24 * 3600 * 1000,
            TopicConfigs::parseLong, v -> v >= -1, "-1 (forever) or an integer of at least 0"));
    /** Oldest segments are deleted while the log stays at least this large without them; -1: no limit. */
    public static final Key<Long> RETENTION_BYTES = log(new Key<>("retention.bytes", -1L, TopicConfigs::parseLong,
            v -> v >= -1, "-1 (unlimited) or an integer of at least 0"));
    /** Largest batch a leader accepts, header included. */
    public static final Key<Integer> MAX_MESSAGE_BYTES = log(new Key<>("max.message.bytes", (1 << 20) + 1024,
            TopicConfigs::parseInt, v -> v >= RecordBatch.HEADER_SIZE && v <= MAX_MESSAGE_BYTES_LIMIT,
            "an integer between " + RecordBatch.HEADER_SIZE + " and " + MAX_MESSAGE_BYTES_LIMIT));
    /** The Chronicle roll cycle of new segments. */
    public static final Key<String> ROLL_CYCLE = log(new Key<>("roll.cycle", "FAST_HOURLY",
            v -> v.toUpperCase(Locale.ROOT), ROLL_CYCLE_NAMES::contains,
            "a Chronicle roll cycle: one of " + String.join(", ", ROLL_CYCLE_NAMES)));
    /** Bytes of batches between two entries of a segment's offset index. */
    public static final Key<Integer> INDEX_INTERVAL_BYTES = log(new Key<>("index.interval.bytes", 4096,
            TopicConfigs::parseInt, v -> v >= 0, "an integer of at least 0"));
    /** In-sync replicas an acks=all write needs. */
    public static final Key<Integer> MIN_INSYNC_REPLICAS = replication(new Key<>("min.insync.replicas", 1,
            TopicConfigs::parseInt, v -> v >= 1, "an integer of at least 1"));
    /** Whether a replica outside the in-sync set may lead when no in-sync one is live (records may be lost). */
    public static final Key<Boolean> UNCLEAN_LEADER_ELECTION_ENABLE = replication(new Key<>(
            "unclean.leader.election.enable", false, TopicConfigs::parseBoolean, v -> true, "true or false"));

    private TopicConfigs() {
    }

    /**
     * One setting: its key, default and rule.
     *
     * @param <T> the type of its values
     */
    public static final class Key<T> {
        private final String name;
        private final T defaultValue;
        private final Function<String, T> parser;
        private final Predicate<T> rule;
        private final String ruleText;
        private boolean log;

        private Key(String name, T defaultValue, Function<String, T> parser, Predicate<T> rule, String ruleText) {
            this.name = name;
            this.defaultValue = defaultValue;
            this.parser = parser;
            this.rule = rule;
            this.ruleText = ruleText;
        }

        /** The topic config key, e.g. {@code retention.ms}. */
        public String name() {
            return name;
        }

        public T defaultValue() {
            return defaultValue;
        }

        /** True for a partition log setting (the broker's {@code sluice.log.<name>}), false for replication's. */
        public boolean log() {
            return log;
        }

        /** What a valid value looks like, as error messages say it. */
        public String rule() {
            return ruleText;
        }

        /** {@code value} (trimmed) parsed and checked; INVALID_CONFIG naming the key and value otherwise. */
        public T parse(String value) {
            return parse(name, value);
        }

        /** Like {@link #parse(String)}, naming {@code shownKey} (e.g. the broker-wide {@code sluice.log.*} key). */
        public T parse(String shownKey, String value) {
            String v = value == null ? "" : value.trim();
            T parsed;
            try {
                parsed = parser.apply(v);
            } catch (IllegalArgumentException e) {
                throw invalid(shownKey, v);
            }
            return check(shownKey, parsed);
        }

        /** {@code value} if it follows the rule; INVALID_CONFIG naming {@code shownKey} otherwise. */
        public T check(String shownKey, T value) {
            if (value == null || !rule.test(value)) {
                throw invalid(shownKey, value);
            }
            return value;
        }

        private SluiceException invalid(String shownKey, Object value) {
            return new SluiceException(ErrorCode.INVALID_CONFIG, shownKey + "=" + value + " is invalid: must be "
                    + ruleText);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static <T> Key<T> log(Key<T> key) {
        key.log = true;
        KEYS.put(key.name, key);
        return key;
    }

    private static <T> Key<T> replication(Key<T> key) {
        KEYS.put(key.name, key);
        return key;
    }

    /** Every setting, in declaration order. */
    public static List<Key<?>> all() {
        return List.copyOf(KEYS.values());
    }

    /** The setting named {@code name}, if there is one. */
    public static Optional<Key<?>> key(String name) {
        return Optional.ofNullable(name == null ? null : KEYS.get(name));
    }

    /**
     * Checks every config of a topic: INVALID_CONFIG naming the key for an unknown key (with the closest known one)
     * or a value that breaks its rule. {@code configs} may be null.
     */
    public static void validate(Map<String, String> configs) {
        if (configs == null) {
            return;
        }
        for (Map.Entry<String, String> e : configs.entrySet()) {
            Key<?> key = KEYS.get(e.getKey());
            if (key == null) {
                throw unknown(e.getKey());
            }
            key.parse(e.getValue());
        }
    }

    /** INVALID_CONFIG for an unknown key, naming the closest known one and listing them all. */
    public static SluiceException unknown(String name) {
        String closest = closest(name);
        return new SluiceException(ErrorCode.INVALID_CONFIG, "unknown topic config '" + name + "'"
                + (closest == null ? "" : " (did you mean '" + closest + "'?)") + "; known: "
                + String.join(", ", new ArrayList<>(KEYS.keySet())));
    }

    /** The known key nearest to {@code name} by edit distance, or null if none is reasonably close. */
    public static String closest(String name) {
        if (name == null) {
            return null;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KEYS.keySet()) {
            int d = distance(name.toLowerCase(Locale.ROOT), known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return bestDistance <= Math.max(3, name.length() / 3) ? best : null;
    }

    /** Levenshtein distance; the inputs are config keys (short), so the quadratic table is small. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static long parseLong(String v) {
        return Long.parseLong(v);
    }

    private static int parseInt(String v) {
        return Integer.parseInt(v);
    }

    private static boolean parseBoolean(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(v);
    }
}
