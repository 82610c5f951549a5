package io.sluice.benchmarks.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} arguments the harness passes to a load or server JVM. A missing required argument or a
 * bad number fails with a message naming it. Not thread-safe (read once at start).
 */
public final class LoadArgs {
    private final Map<String, String> values = new HashMap<>();

    public LoadArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing argument --" + name);
        }
        return v;
    }

    public String get(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    public long longValue(String name, long defaultValue) {
        String v = values.get(name);
        try {
            return v == null ? defaultValue : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    public int intValue(String name, int defaultValue) {
        return Math.toIntExact(longValue(name, defaultValue));
    }

    /** A comma-separated list; empty when absent. */
    public List<String> list(String name) {
        List<String> out = new ArrayList<>();
        for (String s : values.getOrDefault(name, "").split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
