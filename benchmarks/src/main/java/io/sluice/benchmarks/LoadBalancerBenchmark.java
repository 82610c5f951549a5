package io.sluice.benchmarks;

import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.loadbalance.LoadBalancer;
import io.sluice.rpc.internal.loadbalance.LoadBalancers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Load balancer selection among eight providers of different weights, for every balancer (score per selection;
 * the consistent-hash key varies per call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", JvmFlags.NO_ANALYTICS})
public class LoadBalancerBenchmark {
    @Param({LoadBalancers.RANDOM, LoadBalancers.ROUND_ROBIN, LoadBalancers.LEAST_ACTIVE,
            LoadBalancers.CONSISTENT_HASH, LoadBalancers.LATENCY_AWARE})
    String balancer;

    private LoadBalancer lb;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Invocation[] invocations = new Invocation[1024];
    private int next;

    @Setup
    public void setUp() {
        lb = LoadBalancers.create(balancer, System::currentTimeMillis);
        for (int i = 0; i < 8; i++) {
            endpoints.add(Endpoint.detached("provider-" + i, 20880, 50 + 25 * i));
        }
        for (int i = 0; i < invocations.length; i++) {
            invocations[i] = new Invocation(null, null, new Object[]{(long) i}, CallOptions.DEFAULT, 0);
        }
    }

    @Benchmark
    public Endpoint select() {
        return lb.select(endpoints, invocations[next++ & (invocations.length - 1)]);
    }
}
