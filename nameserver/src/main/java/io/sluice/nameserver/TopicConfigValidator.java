package io.sluice.nameserver;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.Map;

/**
 * Checks per-topic configs at creation time, so a typo is refused with a clear error instead of surfacing later on
 * every broker. The keys are the short forms of the broker's {@code sluice.log.*} settings plus replication ones.
 */
final class TopicConfigValidator {
    private enum Kind { POSITIVE_LONG, LONG_OR_MINUS_ONE, POSITIVE_INT, BOOLEAN, ROLL_CYCLE }

    private static final Map<String, Kind> KEYS = Map.of(
            "retention.ms", Kind.LONG_OR_MINUS_ONE,
            "retention.bytes", Kind.LONG_OR_MINUS_ONE,
            "segment.bytes", Kind.POSITIVE_LONG,
            "segment.ms", Kind.POSITIVE_LONG,
            "max.message.bytes", Kind.POSITIVE_INT,
            "index.interval.bytes", Kind.POSITIVE_INT,
            "roll.cycle", Kind.ROLL_CYCLE,
            "min.insync.replicas", Kind.POSITIVE_INT,
            "unclean.leader.election.enable", Kind.BOOLEAN);

    private TopicConfigValidator() {
    }

    static void validate(Map<String, String> configs) {
        if (configs == null) {
            return;
        }
        for (Map.Entry<String, String> e : configs.entrySet()) {
            Kind kind = KEYS.get(e.getKey());
            if (kind == null) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown topic config '" + e.getKey()
                        + "'; known: " + String.join(", ", new java.util.TreeSet<>(KEYS.keySet())));
            }
            if (!valid(kind, e.getValue())) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "topic config " + e.getKey() + "=" + e.getValue()
                        + " is invalid: must be " + describe(kind));
            }
        }
    }

    private static boolean valid(Kind kind, String value) {
        if (value == null) {
            return false;
        }
        try {
            return switch (kind) {
                case POSITIVE_LONG -> Long.parseLong(value.trim()) > 0;
                case LONG_OR_MINUS_ONE -> Long.parseLong(value.trim()) >= -1 && Long.parseLong(value.trim()) != 0;
                case POSITIVE_INT -> Integer.parseInt(value.trim()) > 0;
                case BOOLEAN -> value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false");
                case ROLL_CYCLE -> value.matches("[A-Z_0-9]+");
            };
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case POSITIVE_LONG -> "a positive integer";
            case LONG_OR_MINUS_ONE -> "a positive integer, or -1 for no limit";
            case POSITIVE_INT -> "a positive integer";
            case BOOLEAN -> "true or false";
            case ROLL_CYCLE -> "a Chronicle roll cycle name such as FAST_HOURLY";
        };
    }
}
