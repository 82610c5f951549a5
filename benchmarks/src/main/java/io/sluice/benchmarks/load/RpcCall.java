package io.sluice.benchmarks.load;

/** One remote call of a workload; {@code i} varies the argument (a user id, a page). Must be thread-safe. */
@FunctionalInterface
public interface RpcCall {
    /** Makes the call and returns its answer (null counts as an error). */
    Object call(long i) throws Exception;
}
