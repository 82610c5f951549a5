package io.sluice.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop RPC load: {@code threads} threads call one operation back to back for the warm-up, then for the
 * measured period; ops/s counts the calls started in the measured period, latencies (µs) come from each thread's own
 * histogram, merged at the end. Errors are counted; more than 1% of the measured calls fails the workload.
 * Creates and joins its own threads.
 */
public final class RpcLoad {
    private RpcLoad() {
    }

    public static LoadResult run(String workload, RpcCall call, int threads, long warmupMs, long measureMs)
            throws InterruptedException {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long measureStart = start + TimeUnit.MILLISECONDS.toNanos(warmupMs);
        long end = measureStart + TimeUnit.MILLISECONDS.toNanos(measureMs);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(call, t * 1_000_003L, start, measureStart, end);
            w.setName(workload + "-" + t);
            workers.add(w);
            w.start();
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
        return new LoadResult(workload).put("threads", threads).put("calls", ops).put("errors", errors)
                .put("seconds", seconds).put("ops_per_s", ops / seconds).latency(all);
    }

    /** One calling thread; its fields are read after join(). */
    private static final class Worker extends Thread {
        private final RpcCall call;
        private final long seed;
        private final long start;
        private final long measureStart;
        private final long end;
        final Histogram latencies = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long ops;
        long errors;
        Throwable firstError;

        Worker(RpcCall call, long seed, long start, long measureStart, long end) {
            this.call = call;
            this.seed = seed;
            this.start = start;
            this.measureStart = measureStart;
            this.end = end;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (System.nanoTime() < start) {
                Thread.onSpinWait();
            }
            long i = seed;
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= end) {
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
                if (t0 >= measureStart) {
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
