package io.sluice.rpc.internal.invoke;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.Timer;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.cluster.BroadcastCluster;
import io.sluice.rpc.internal.cluster.FailfastCluster;
import io.sluice.rpc.internal.cluster.FailoverCluster;
import io.sluice.rpc.internal.cluster.FailsafeCluster;
import io.sluice.rpc.internal.cluster.ForkingCluster;
import io.sluice.rpc.internal.cluster.RetryBudget;
import io.sluice.rpc.internal.filter.CircuitBreakerFilter;
import io.sluice.rpc.internal.filter.ClusterFilter;
import io.sluice.rpc.internal.filter.EndpointStatsFilter;
import io.sluice.rpc.internal.filter.LoadBalanceFilter;
import io.sluice.rpc.internal.filter.MetricsFilter;
import io.sluice.rpc.internal.filter.TimeoutFilter;
import io.sluice.rpc.internal.filter.TransportInvoker;
import io.sluice.rpc.internal.serialize.RpcSerializer;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Builds the client call path: one list of filters, read top to bottom, in {@link #buildChain}. Everything a
 * filter needs is handed to it here; nothing holds the client itself. Stateless; the chain it builds is
 * immutable and thread-safe.
 */
public final class RpcInvoker {
    /** Cluster mode names, as the CLUSTER option takes them. */
    public static final List<String> CLUSTER_MODES = List.of("failover", "failfast", "failsafe", "forking",
            "broadcast");

    private RpcInvoker() {
    }

    /**
     * The call path of every stub of a client. Two tiers: the steps above the cluster strategy run once per
     * logical call, those below it once per attempt on one provider.
     */
    public static Invoker buildChain(RpcSerializer serializer, ByteBufAllocator alloc, Timer timer,
                                     RetryBudget retryBudget, RpcEventListener listener, LongSupplier nanoClock) {
        return new FilterChain(List.of(
                // Once per call. Outermost, so it records what the caller sees: every retry and the timeout inside.
                new MetricsFilter(listener, nanoClock),
                // Once per call. Sets the deadline of the whole call (retries included) before any attempt reads it;
                // below metrics so that timeouts are recorded.
                new TimeoutFilter(timer, nanoClock),
                // Once per call, starting attempts: failover / failfast / failsafe / forking / broadcast. Above the
                // balancer so that each attempt picks a provider again, away from the ones that failed.
                new ClusterFilter(Map.of(
                        "failover", new FailoverCluster(retryBudget, listener, nanoClock),
                        "failfast", new FailfastCluster(),
                        "failsafe", new FailsafeCluster(),
                        "forking", new ForkingCluster(nanoClock),
                        "broadcast", new BroadcastCluster(nanoClock))),
                // Per attempt: chooses the endpoint among the usable, untried ones.
                new LoadBalanceFilter(nanoClock),
                // Per endpoint: below the balancer so each provider has its own breaker; refuses without sending.
                new CircuitBreakerFilter(nanoClock),
                // Per endpoint, innermost: in-flight count and latency of the wire call only (balancer inputs).
                new EndpointStatsFilter(listener, nanoClock)),
                // The provider connection: serialize, send with the time left, decode.
                new TransportInvoker(serializer, alloc, nanoClock));
    }
}
