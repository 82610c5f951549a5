package io.sluice.rpc.internal;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parsing and validation helpers of the RPC config classes; every failure is INVALID_CONFIG naming the key.
 * Stateless.
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    public static int intValue(Map<String, String> values, String key, int current) {
        String v = values.get(key);
        if (v == null) {
            return current;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + v + " is invalid: must be an integer");
        }
    }

    public static long longValue(Map<String, String> values, String key, long current) {
        String v = values.get(key);
        if (v == null) {
            return current;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + v + " is invalid: must be an integer");
        }
    }

    public static boolean booleanValue(Map<String, String> values, String key, boolean current) {
        String v = values.get(key);
        if (v == null) {
            return current;
        }
        String t = v.trim();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(t);
        }
        throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + v + " is invalid: must be true or false");
    }

    public static String stringValue(Map<String, String> values, String key, String current) {
        String v = values.get(key);
        return v == null ? current : v.trim();
    }

    /** A comma-separated list; absent keeps {@code current}. */
    public static List<String> listValue(Map<String, String> values, String key, List<String> current) {
        String v = values.get(key);
        if (v == null) {
            return current;
        }
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    public static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }
}
