package io.sluice.remoting.config;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Configuration values by dotted key ({@code sluice.broker.port}), read from layers where a later layer overrides an
 * earlier one: a YAML file, then Java system properties whose names start with {@code sluice.}, then explicit
 * overrides (e.g. from the command line). Nested YAML maps flatten into dotted keys, so
 * {@code sluice: { broker: { port: 9911 } }} and {@code sluice.broker.port: 9911} are the same; a YAML list becomes
 * a comma-separated value.
 *
 * <p>The typed getters return the default when a key is absent and throw {@link ErrorCode#INVALID_CONFIG} naming
 * the key, the value, the expected type and where the value came from when it does not parse. Typed component
 * configs (e.g. {@code TransportConfig.from(source)}) read their keys here once and validate in {@code conclude()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigSource {
    private static final String SYSTEM_PREFIX = "sluice.";
    private static final ConfigSource EMPTY = new ConfigSource(Map.of(), Map.of());

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private ConfigSource(Map<String, String> values, Map<String, String> origins) {
        this.values = values;
        this.origins = origins;
    }

    public static ConfigSource empty() {
        return EMPTY;
    }

    /** The values of a YAML file; INVALID_CONFIG if it is missing, unreadable or not valid YAML. */
    public static ConfigSource fromYaml(Path file) {
        return EMPTY.withYaml(file);
    }

    /** Values given as a map (keys dotted or nested maps); {@code origin} names where they came from. */
    public static ConfigSource fromMap(Map<String, ?> map, String origin) {
        return EMPTY.withMap(map, origin);
    }

    /**
     * The usual layering: {@code file} (may be null), then {@code sluice.*} system properties, then
     * {@code overrides} (may be null).
     */
    public static ConfigSource load(Path file, Map<String, ?> overrides) {
        ConfigSource source = file == null ? EMPTY : fromYaml(file);
        source = source.withSystemProperties();
        return overrides == null ? source : source.withMap(overrides, "overrides");
    }

    /** A new source with the values of a YAML file layered over this one's. */
    public ConfigSource withYaml(Path file) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (NoSuchFileException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "config file " + file.toAbsolutePath()
                    + " does not exist", e);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "cannot read config file " + file.toAbsolutePath()
                    + ": " + e, e);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? ""
                    : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "config file " + file.toAbsolutePath()
                    + " is not valid YAML" + where + ": " + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "config file " + file.toAbsolutePath()
                    + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return this; // empty file
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "config file " + file.toAbsolutePath()
                    + " must hold a map of settings, not a " + root.getClass().getSimpleName());
        }
        return withMap(map, file.toString());
    }

    /** A new source with {@code sluice.*} Java system properties layered over this one's. */
    public ConfigSource withSystemProperties() {
        Properties props = System.getProperties();
        Map<String, Object> picked = new TreeMap<>();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(SYSTEM_PREFIX)) {
                picked.put(name, props.getProperty(name));
            }
        }
        return withMap(picked, "system properties");
    }

    /** A new source with {@code map}'s values layered over this one's. */
    public ConfigSource withMap(Map<?, ?> map, String origin) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", map, flat);
        if (flat.isEmpty()) {
            return this;
        }
        Map<String, String> mergedValues = new TreeMap<>(values);
        Map<String, String> mergedOrigins = new TreeMap<>(origins);
        for (Map.Entry<String, String> e : flat.entrySet()) {
            mergedValues.put(e.getKey(), e.getValue());
            mergedOrigins.put(e.getKey(), origin);
        }
        return new ConfigSource(Collections.unmodifiableMap(mergedValues), Collections.unmodifiableMap(mergedOrigins));
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else if (value instanceof List<?> list) {
                List<String> items = new ArrayList<>(list.size());
                for (Object item : list) {
                    items.add(String.valueOf(item));
                }
                out.put(key, String.join(",", items));
            } else if (value != null) {
                out.put(key, String.valueOf(value).trim());
            }
        }
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** Where the value of {@code key} came from (a file path, "system properties", "overrides"), or null. */
    public String origin(String key) {
        return origins.get(key);
    }

    /** Every key and value, sorted by key. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The keys under {@code prefix} (a dotted prefix such as {@code sluice.broker.}), with the prefix removed. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }

    public String getString(String key, String defaultValue) {
        String value = values.get(key);
        return value == null ? defaultValue : value;
    }

    public int getInt(String key, int defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(stripUnderscores(value));
        } catch (NumberFormatException e) {
            throw invalid(key, value, "int");
        }
    }

    public long getLong(String key, long defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(stripUnderscores(value));
        } catch (NumberFormatException e) {
            throw invalid(key, value, "long");
        }
    }

    public double getDouble(String key, double defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw invalid(key, value, "number");
        }
    }

    /** {@code true}/{@code false} (any case); anything else is invalid. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, value, "boolean (true or false)");
        };
    }

    /**
     * A duration: a number with a unit {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} ({@code 500ms},
     * {@code 10s}), an ISO-8601 duration ({@code PT10S}), or a bare number of milliseconds.
     */
    public Duration getDuration(String key, Duration defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return parseDuration(value);
        } catch (RuntimeException e) {
            throw invalid(key, value, "duration (e.g. 500ms, 10s, 5m, 1h, 2d)");
        }
    }

    /** A comma-separated list, items trimmed, empty items dropped. */
    public List<String> getList(String key, List<String> defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            String trimmed = item.trim();
            if (!trimmed.isEmpty()) {
                items.add(trimmed);
            }
        }
        return List.copyOf(items);
    }

    static Duration parseDuration(String text) {
        String s = stripUnderscores(text.trim()).toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        }
        int unitStart = 0;
        while (unitStart < s.length() && (Character.isDigit(s.charAt(unitStart)) || s.charAt(unitStart) == '-')) {
            unitStart++;
        }
        long amount = Long.parseLong(s.substring(0, unitStart));
        String unit = s.substring(unitStart).trim();
        return switch (unit) {
            case "", "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }

    private static String stripUnderscores(String value) {
        return value.indexOf('_') < 0 ? value : value.replace("_", "");
    }

    private SluiceException invalid(String key, String value, String type) {
        String origin = origins.get(key);
        return new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is not a valid " + type
                + (origin == null ? "" : " (from " + origin + ")"));
    }

    @Override
    public String toString() {
        return "ConfigSource" + values;
    }
}
