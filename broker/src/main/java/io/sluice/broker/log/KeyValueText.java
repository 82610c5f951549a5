package io.sluice.broker.log;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text form of the small metadata files of a log: one {@code key=value} per line, {@code #} starts a comment.
 * Human-readable on purpose (an operator can inspect a seal or a checkpoint with {@code cat}). Stateless.
 */
final class KeyValueText {
    private KeyValueText() {
    }

    static Map<String, String> parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed line '" + l + "'");
            }
            values.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
        }
        return values;
    }

    static long longValue(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing key '" + key + "'");
        }
        return Long.parseLong(v);
    }

    static String format(Map<String, ?> values) {
        StringBuilder sb = new StringBuilder(256);
        values.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }
}
