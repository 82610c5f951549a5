package io.sluice.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop RPC load: {@code threads} threads call one operation back to back, first to warm it up, then for the
 * measured period; ops/s counts the calls started in the measured period, latencies (µs) come from each thread's own
 * histogram, merged at the end. Errors are counted; more than 1% of the measured calls fails the workload.
 *
 * <p>The warm-up runs until the throughput is steady: in windows of {@link #windowMs} (a fifth of the bound, 100 ms
 * to 2 s), until two consecutive windows agree within {@value #STEADY_TOLERANCE} (5%), at most {@code maxWarmupMs}.
 * The result reports how long it took ({@code warmup_ms}), whether it was steady ({@code warmup_steady}, 0 when the
 * bound cut it short), the rate of every warm-up window ({@code warmup_N_ops_per_s}) and of every measured window
 * ({@code window_N_ops_per_s}), so a rate still climbing is visible. Creates and joins its own threads.
 */
public final class RpcLoad {
    /** Two consecutive warm-up windows whose rates differ by at most this fraction of the larger are steady. */
    static final double STEADY_TOLERANCE = 0.05;

    private RpcLoad() {
    }

    /** The warm-up and measurement window for a warm-up bound. */
    static long windowMs(long maxWarmupMs) {
        return Math.max(100, Math.min(2_000, maxWarmupMs / 5));
    }

    /** True if two window rates agree within {@link #STEADY_TOLERANCE}. */
    static boolean steady(double previous, double current) {
        double larger = Math.max(previous, current);
        return larger > 0 && Math.abs(previous - current) <= STEADY_TOLERANCE * larger;
    }

    public static LoadResult run(String workload, RpcCall call, int threads, long maxWarmupMs, long measureMs)
            throws InterruptedException {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        Clock clock = new Clock();
        LongAdder completed = new LongAdder();
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(call, t * 1_000_003L, start, clock, completed);
            w.setName(workload + "-" + t);
            workers.add(w);
            w.start();
        }
        long windowNs = TimeUnit.MILLISECONDS.toNanos(windowMs(maxWarmupMs));
        List<Double> warmupRates = new ArrayList<>();
        boolean steady = maxWarmupMs <= 0;
        long now = waitUntil(start);
        long warmupEnd = start + TimeUnit.MILLISECONDS.toNanos(maxWarmupMs);
        while (!steady && now - warmupEnd < 0) {
            long before = completed.sum();
            long windowStart = now;
            now = waitUntil(Math.min(windowStart + windowNs, warmupEnd));
            double rate = (completed.sum() - before) / ((now - windowStart) / 1e9);
            if (!warmupRates.isEmpty() && steady(warmupRates.get(warmupRates.size() - 1), rate)) {
                steady = true;
            }
            warmupRates.add(rate);
        }
        long measureStart = now;
        long end = measureStart + TimeUnit.MILLISECONDS.toNanos(measureMs);
        clock.measure(measureStart, end);
        List<Double> windowRates = new ArrayList<>();
        while (now - end < 0) {
            long before = completed.sum();
            long windowStart = now;
            now = waitUntil(Math.min(windowStart + windowNs, end));
            windowRates.add((completed.sum() - before) / ((now - windowStart) / 1e9));
        }
        Histogram all = new Histogram(3);
        long ops = 0;
        long errors = 0;
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        for (Worker w : workers) {
            w.join();
            all.add(w.latencies);
            ops += w.ops;
            errors += w.errors;
            if (w.firstError != null) {
                firstError.compareAndSet(null, w.firstError);
            }
        }
        if (errors > Math.max(1, ops / 100)) {
            throw new IllegalStateException(errors + " of " + (ops + errors) + " calls failed, first: "
                    + firstError.get(), firstError.get());
        }
        double seconds = measureMs / 1000.0;
        LoadResult result = new LoadResult(workload).put("threads", threads).put("calls", ops).put("errors", errors)
                .put("seconds", seconds).put("ops_per_s", ops / seconds).latency(all)
                .put("warmup_ms", TimeUnit.NANOSECONDS.toMillis(measureStart - start))
                .put("warmup_steady", steady ? 1 : 0);
        for (int i = 0; i < warmupRates.size(); i++) {
            result.put("warmup_" + (i + 1) + "_ops_per_s", warmupRates.get(i));
        }
        for (int i = 0; i < windowRates.size(); i++) {
            result.put("window_" + (i + 1) + "_ops_per_s", windowRates.get(i));
        }
        return result;
    }

    /** Parks until {@code deadlineNs}; returns the time then. */
    private static long waitUntil(long deadlineNs) {
        long now;
        while ((now = System.nanoTime()) - deadlineNs < 0) {
            LockSupport.parkNanos(deadlineNs - now);
        }
        return now;
    }

    /** When the measured period starts and ends; unknown (never) until the warm-up is over. */
    private static final class Clock {
        private volatile long measureStart = Long.MAX_VALUE;
        private volatile long end = Long.MAX_VALUE;
        private volatile boolean measuring;

        void measure(long startNs, long endNs) {
            measureStart = startNs;
            end = endNs;
            measuring = true;
        }

        boolean measured(long t) {
            return measuring && t - measureStart >= 0;
        }

        boolean over(long t) {
            return measuring && t - end >= 0;
        }
    }

    /** One calling thread; its fields are read after join(). */
    private static final class Worker extends Thread {
        private final RpcCall call;
        private final long seed;
        private final long start;
        private final Clock clock;
        private final LongAdder completed;
        final Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long ops;
        long errors;
        Throwable firstError;

        Worker(RpcCall call, long seed, long start, Clock clock, LongAdder completed) {
            this.call = call;
            this.seed = seed;
            this.start = start;
            this.clock = clock;
            this.completed = completed;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (System.nanoTime() - start < 0) {
                Thread.onSpinWait();
            }
            long i = seed;
            while (true) {
                long t0 = System.nanoTime();
                if (clock.over(t0)) {
                    return;
                }
                boolean ok;
                try {
                    ok = call.call(i++) != null;
                    if (!ok && firstError == null) {
                        firstError = new IllegalStateException("call returned null");
                    }
                } catch (Throwable e) {
                    ok = false;
                    if (firstError == null) {
                        firstError = e;
                    }
                }
                if (ok) {
                    completed.increment();
                }
                if (clock.measured(t0)) {
                    if (ok) {
                        latencies.recordValue(Math.min(latencies.getHighestTrackableValue(),
                                (System.nanoTime() - t0) / 1000));
                        ops++;
                    } else {
                        errors++;
                    }
                }
            }
        }
    }
}
