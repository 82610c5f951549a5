package io.sluice.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One workload's figures, printed by a load JVM as a single line the harness parses:
 * {@code RESULT workload=produce-100 msgs_per_s=812345.0 p99_us=2100 ...}, or
 * {@code RESULT workload=produce-100 error=<message to the end of the line>} when it failed.
 * Not thread-safe.
 */
public final class LoadResult {
    public static final String PREFIX = "RESULT ";
    public static final String WORKLOAD = "workload";
    public static final String ERROR = "error";

    private final String workload;
    private final Map<String, String> values = new LinkedHashMap<>();
    private String error;

    public LoadResult(String workload) {
        this.workload = workload;
    }

    public static LoadResult failed(String workload, Throwable error) {
        LoadResult r = new LoadResult(workload);
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        r.error = message.replace('\n', ' ').replace('\r', ' ');
        return r;
    }

    public LoadResult put(String key, double value) {
        values.put(key, String.format(Locale.ROOT, "%.3f", value));
        return this;
    }

    public LoadResult put(String key, long value) {
        values.put(key, Long.toString(value));
        return this;
    }

    /** p50_us, p99_us, p999_us and max_us of a histogram of microseconds. */
    public LoadResult latency(Histogram micros) {
        put("p50_us", micros.getValueAtPercentile(50));
        put("p99_us", micros.getValueAtPercentile(99));
        put("p999_us", micros.getValueAtPercentile(99.9));
        put("max_us", micros.getMaxValue());
        return put("latency_samples", micros.getTotalCount());
    }

    public String line() {
        StringBuilder sb = new StringBuilder(PREFIX).append(WORKLOAD).append('=').append(workload);
        values.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        if (error != null) {
            sb.append(' ').append(ERROR).append('=').append(error);
        }
        return sb.toString();
    }

    public void print(PrintStream out) {
        out.println(line());
        out.flush();
    }
}
