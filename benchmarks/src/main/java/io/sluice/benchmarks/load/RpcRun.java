package io.sluice.benchmarks.load;

import java.io.PrintStream;
import java.util.Map;

/**
 * Runs the UserService operations the harness names ({@code --ops existUser,createUser,getUser,listUser}): first a
 * warm-up pass over every operation ({@code --warmup-ms} each, not reported), then each as an {@link RpcLoad} with
 * {@code --threads} (32), {@code --op-warmup-ms} (a bound: it warms until steady) and {@code --measure-ms},
 * printing one {@link LoadResult} line each ({@code rpc-<op>}). Single-threaded apart from the load threads.
 */
public final class RpcRun {
    private RpcRun() {
    }

    /** Returns the number of failed operations. */
    public static int run(Map<String, RpcCall> calls, LoadArgs args, PrintStream out) {
        int threads = args.intValue("threads", 32);
        long warmupMs = args.longValue("warmup-ms", 5_000);
        long opWarmupMs = args.longValue("op-warmup-ms", 30_000);
        long measureMs = args.longValue("measure-ms", 10_000);
        // every path warm before the first measurement, so the first operation does not pay for the JIT alone
        for (String op : args.list("ops")) {
            RpcCall call = calls.get(op);
            if (call != null) {
                try {
                    RpcLoad.run("warmup-" + op, call, threads, 0, warmupMs);
                } catch (Exception e) {
                    System.err.println("warm-up of " + op + " failed: " + e);
                }
            }
        }
        int failures = 0;
        for (String op : args.list("ops")) {
            String workload = "rpc-" + op;
            LoadResult result;
            try {
                RpcCall call = calls.get(op);
                if (call == null) {
                    throw new IllegalArgumentException("unknown operation '" + op + "', known: " + calls.keySet());
                }
                result = RpcLoad.run(workload, call, threads, opWarmupMs, measureMs);
            } catch (Throwable t) {
                t.printStackTrace();
                result = LoadResult.failed(workload, t);
                failures++;
            }
            result.print(out);
        }
        return failures;
    }
}
