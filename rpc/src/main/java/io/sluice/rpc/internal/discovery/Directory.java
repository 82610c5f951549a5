package io.sluice.rpc.internal.discovery;

import io.sluice.registry.ServiceInstance;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.endpoint.ChannelPool;
import io.sluice.rpc.internal.endpoint.CircuitBreaker;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.endpoint.ProviderChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The consumer's cached list of the providers of one service key, fed by a registry subscription or by a static
 * address list, and turned into {@link Endpoint}s with channels from the shared {@link ChannelPool}.
 *
 * <p>Updates are diffs: an instance whose registration is unchanged keeps its endpoint (and so its statistics,
 * circuit breaker and connection); only new addresses connect and only vanished ones are released. An empty
 * update never replaces a non-empty list: the registry may be reporting a lost session or a wiped ZooKeeper rather
 * than every provider leaving, so the cached providers stay and keep serving while their connections work (those
 * whose connection fails drop out of the usable set by themselves). The list is replaced again by the next
 * non-empty update.
 *
 * <p>Thread-safe: updates are serialized on the instance; readers see an immutable list through a volatile field.
 */
public final class Directory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Directory.class);

    /** Creates the circuit breaker of a new endpoint. */
    public interface BreakerFactory {
        CircuitBreaker create(String serviceKey, InetSocketAddress address);
    }

    private final String serviceKey;
    private final ChannelPool pool;
    private final BreakerFactory breakers;
    private final long warmupDefaultMs;
    private final RpcEventListener listener;
    private volatile List<Endpoint> endpoints = List.of();
    /** While no provider is registered: what is registered for the same interface instead, for NO_PROVIDER. */
    private volatile String absentHint = "";
    private List<ServiceInstance> registered = List.of();
    private boolean keptStale;
    private boolean closed;

    public Directory(String serviceKey, ChannelPool pool, BreakerFactory breakers, long warmupDefaultMs,
                     RpcEventListener listener) {
        this.serviceKey = serviceKey;
        this.pool = pool;
        this.breakers = breakers;
        this.warmupDefaultMs = warmupDefaultMs;
        this.listener = listener;
    }

    public String serviceKey() {
        return serviceKey;
    }

    /** The current endpoints (immutable). */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * Said after "none registered" when a call finds no provider: the versions and groups that do have providers of
     * the same interface (a stub asking for another version or group is the usual cause), or empty.
     */
    public String absentHint() {
        return absentHint;
    }

    /** Sets {@link #absentHint()}; called by whoever feeds the directory, off the call path. */
    public void absentHint(String hint) {
        this.absentHint = hint == null ? "" : hint;
    }

    /** True while an empty update was refused and the last non-empty list is being kept. */
    public synchronized boolean keepingStaleList() {
        return keptStale;
    }

    /** Applies the full provider list from the registry (or a static list). */
    public synchronized void update(List<ServiceInstance> instances) {
        if (closed) {
            return;
        }
        if (instances.isEmpty() && !endpoints.isEmpty()) {
            if (!keptStale) {
                LOG.warn("the registry reports no provider of {}; keeping the {} cached providers while their "
                        + "connections work", serviceKey, endpoints.size());
                keptStale = true;
            }
            return;
        }
        keptStale = false;
        if (instances.equals(registered)) {
            return;
        }
        Map<String, Endpoint> old = new HashMap<>();
        Map<String, ServiceInstance> oldInstances = new HashMap<>();
        for (int i = 0; i < registered.size(); i++) {
            oldInstances.put(registered.get(i).instanceId(), registered.get(i));
        }
        for (Endpoint e : endpoints) {
            old.put(e.id(), e);
        }
        List<Endpoint> next = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            Endpoint kept = old.get(instance.instanceId());
            if (kept != null && sameRegistration(oldInstances.get(instance.instanceId()), instance)) {
                old.remove(instance.instanceId());
                next.add(kept);
            } else {
                next.add(create(instance));
            }
        }
        List<Endpoint> gone = new ArrayList<>(old.values());
        endpoints = List.copyOf(next);
        registered = List.copyOf(instances);
        for (Endpoint e : gone) {
            if (e.channel() != null) {
                pool.release(e.channel());
            }
        }
        LOG.info("providers of {}: {}", serviceKey, endpoints);
        listener.providersChanged(serviceKey, endpoints.size());
    }

    private static boolean sameRegistration(ServiceInstance a, ServiceInstance b) {
        return a != null && a.host().equals(b.host()) && a.port() == b.port() && a.weight() == b.weight()
                && a.startedAtMs() == b.startedAtMs() && Objects.equals(a.metadata(), b.metadata());
    }

    private Endpoint create(ServiceInstance instance) {
        InetSocketAddress address = new InetSocketAddress(instance.host(), instance.port());
        ProviderChannel channel = pool.acquire(address);
        long warmupMs = warmupDefaultMs;
        String declared = instance.metadata().get(ProviderMetadata.WARMUP_MS);
        if (declared != null) {
            try {
                warmupMs = Long.parseLong(declared);
            } catch (NumberFormatException e) {
                LOG.debug("ignoring bad warm-up {} of {}", declared, instance);
            }
        }
        return new Endpoint(instance.instanceId(), address, instance.weight(), instance.startedAtMs(), warmupMs,
                instance.metadata(), channel, breakers.create(serviceKey, address));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Endpoint e : endpoints) {
            if (e.channel() != null) {
                pool.release(e.channel());
            }
        }
        endpoints = List.of();
    }
}
