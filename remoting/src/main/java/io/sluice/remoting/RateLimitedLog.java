package io.sluice.remoting;

import org.slf4j.Logger;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A logger for lines a peer can trigger at wire speed (a failed oneway request, a protocol violation): at most
 * {@code lines} lines per interval for each key, the rest counted and reported on the next line printed for that
 * key ({@code "... (41 similar lines suppressed in the last 10 s)"}). Keys name a kind of event (e.g.
 * {@code "oneway-failed:UNKNOWN_TOPIC"}); they should come from a small closed set, and past
 * {@value #MAX_KEYS} distinct keys the others share one window. A throwable passed as the last argument is logged
 * with its stack trace, as SLF4J does: pass one only for unexpected failures. Thread-safe.
 */
public final class RateLimitedLog {
    /** Distinct keys tracked; beyond this, keys share one window. */
    static final int MAX_KEYS = 1024;
    private static final String OVERFLOW_KEY = "(other)";
    private static final int DEFAULT_LINES = 5;
    private static final long DEFAULT_INTERVAL_MS = 10_000;

    private final Logger log;
    private final int lines;
    private final long intervalNs;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    RateLimitedLog(Logger log, int lines, long intervalMs, LongSupplier nanoClock) {
        if (lines < 1 || intervalMs < 1) {
            throw new IllegalArgumentException("lines and interval must be positive: " + lines + ", " + intervalMs);
        }
        this.log = log;
        this.lines = lines;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.nanoClock = nanoClock;
    }

    /** At most 5 lines per key every 10 s. */
    public static RateLimitedLog of(Logger log) {
        return new RateLimitedLog(log, DEFAULT_LINES, DEFAULT_INTERVAL_MS, System::nanoTime);
    }

    /** At most {@code lines} lines per key every {@code intervalMs}. */
    public static RateLimitedLog of(Logger log, int lines, long intervalMs) {
        return new RateLimitedLog(log, lines, intervalMs, System::nanoTime);
    }

    public void warn(String key, String format, Object... args) {
        if (log.isWarnEnabled()) {
            long suppressed = admit(key);
            if (suppressed >= 0) {
                log.warn(withSuppressed(format, suppressed), withSuppressed(args, suppressed));
            }
        }
    }

    public void info(String key, String format, Object... args) {
        if (log.isInfoEnabled()) {
            long suppressed = admit(key);
            if (suppressed >= 0) {
                log.info(withSuppressed(format, suppressed), withSuppressed(args, suppressed));
            }
        }
    }

    /** -1 if this line is suppressed; otherwise how many lines of the key were suppressed before it. */
    private long admit(String key) {
        Window window = windows.get(key);
        if (window == null) {
            String k = windows.size() >= MAX_KEYS ? OVERFLOW_KEY : key;
            window = windows.computeIfAbsent(k, x -> new Window());
        }
        return window.admit(nanoClock.getAsLong());
    }

    private String withSuppressed(String format, long suppressed) {
        return suppressed == 0 ? format : format + " ({} similar lines suppressed in the last {} s)";
    }

    private Object[] withSuppressed(Object[] args, long suppressed) {
        if (suppressed == 0) {
            return args;
        }
        boolean throwable = args.length > 0 && args[args.length - 1] instanceof Throwable;
        int plain = throwable ? args.length - 1 : args.length;
        Object[] out = Arrays.copyOf(args, args.length + 2);
        out[plain] = suppressed;
        out[plain + 1] = TimeUnit.NANOSECONDS.toSeconds(intervalNs);
        if (throwable) {
            out[plain + 2] = args[args.length - 1];
        }
        return out;
    }

    /** Lines printed and suppressed in the current interval of one key. */
    private final class Window {
        private long startNs;
        private boolean started;
        private int printed;
        private long suppressed;

        synchronized long admit(long nowNs) {
            if (!started || nowNs - startNs >= intervalNs) {
                long before = suppressed;
                started = true;
                startNs = nowNs;
                printed = 1;
                suppressed = 0;
                return before;
            }
            if (printed < lines) {
                printed++;
                return 0;
            }
            suppressed++;
            return -1;
        }
    }
}
