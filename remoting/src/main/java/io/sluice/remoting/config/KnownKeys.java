package io.sluice.remoting.config;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration keys a process understands, read from where they are declared (the {@code static final String}
 * constants of its config classes whose value starts with {@value #PREFIX}), and the check that refuses a
 * source holding any other: a misspelt key ({@code prot:} for {@code port:}, {@code sluice.log.retention.msx}) fails
 * the start with {@code INVALID_CONFIG} naming it, where it came from and the closest known key, instead of being
 * ignored. Client configs refuse unknown keys the same way. Immutable and thread-safe.
 */
public final class KnownKeys {
    /** Every Sluice key starts with this. */
    public static final String PREFIX = "sluice.";
    private static final String SYSTEM_PROPERTIES = "system properties";

    private final Set<String> keys;
    private final Set<String> sections;

    private KnownKeys(Set<String> keys) {
        this.keys = Set.copyOf(keys);
        Set<String> s = new TreeSet<>();
        for (String k : keys) {
            int dot = k.indexOf('.', PREFIX.length());
            s.add(dot < 0 ? k : k.substring(0, dot + 1));
        }
        this.sections = Set.copyOf(s);
    }

    /** The keys declared by {@code classes} (their public static final String constants starting with "sluice."). */
    public static KnownKeys declaredIn(Class<?>... classes) {
        Set<String> found = new TreeSet<>();
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class
                        && f.trySetAccessible()) {
                    try {
                        Object value = f.get(null);
                        if (value instanceof String s && s.startsWith(PREFIX) && !s.endsWith(".")) {
                            found.add(s);
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot read " + c.getName() + "." + f.getName(), e);
                    }
                }
            }
        }
        return new KnownKeys(found);
    }

    /** These keys and {@code more}. */
    public KnownKeys and(Collection<String> more) {
        Set<String> all = new TreeSet<>(keys);
        all.addAll(more);
        return new KnownKeys(all);
    }

    public boolean contains(String key) {
        return keys.contains(key);
    }

    public Set<String> keys() {
        return new TreeSet<>(keys);
    }

    /**
     * Throws INVALID_CONFIG for the first key of {@code source} that is not known: every {@value #PREFIX} key of a
     * file or of the command line; of the Java system properties, only those in a known section (such as
     * {@code sluice.broker.}), since {@code sluice.home} and the like are the launcher's, not settings.
     */
    public void check(ConfigSource source) {
        for (String key : new TreeSet<>(source.asMap().keySet())) {
            if (!key.startsWith(PREFIX) || keys.contains(key)) {
                continue;
            }
            String origin = source.origin(key);
            if (SYSTEM_PROPERTIES.equals(origin) && !inKnownSection(key)) {
                continue;
            }
            String closest = closest(key);
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown setting '" + key + "' (from " + origin
                    + ")" + (closest == null ? "; " : ": did you mean '" + closest + "'? ")
                    + "every setting is listed in the README's configuration reference");
        }
    }

    private boolean inKnownSection(String key) {
        for (String s : sections) {
            if (key.startsWith(s)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The known key nearest to {@code key} by edit distance, if near enough to be a slip (1 to 3 edits, at most half
     * the length of its last word); else null.
     */
    String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : keys) {
            int d = distance(key, k, bestDistance);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        int tail = key.length() - key.lastIndexOf('.') - 1;   // a slip changes at most half of the last word
        return bestDistance <= Math.max(1, Math.min(3, tail / 2)) ? best : null;
    }

    /** Levenshtein distance of {@code a} and {@code b}, or a value over {@code limit} once it exceeds it. */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
