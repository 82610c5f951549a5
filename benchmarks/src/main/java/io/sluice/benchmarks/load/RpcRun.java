package io.sluice.benchmarks.load;

import java.io.PrintStream;
import java.util.Map;

/**
 * Runs the UserService operations the harness names ({@code --ops existUser,createUser,getUser,listUser}), each as
 * an {@link RpcLoad} with {@code --threads} (32), {@code --warmup-ms} and {@code --measure-ms}, printing one
 * {@link LoadResult} line each ({@code rpc-<op>}). Single-threaded apart from the load threads.
 */
public final class RpcRun {
    private RpcRun() {
    }

    /** Returns the number of failed operations. */
    public static int run(Map<String, RpcCall> calls, LoadArgs args, PrintStream out) {
        int threads = args.intValue("threads", 32);
        long warmupMs = args.longValue("warmup-ms", 5_000);
        long measureMs = args.longValue("measure-ms", 10_000);
        int failures = 0;
        for (String op : args.list("ops")) {
            String workload = "rpc-" + op;
            LoadResult result;
            try {
                RpcCall call = calls.get(op);
                if (call == null) {
                    throw new IllegalArgumentException("unknown operation '" + op + "', known: " + calls.keySet());
                }
                result = RpcLoad.run(workload, call, threads, warmupMs, measureMs);
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
