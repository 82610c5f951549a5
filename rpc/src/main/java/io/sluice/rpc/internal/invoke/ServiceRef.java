package io.sluice.rpc.internal.invoke;

import io.sluice.rpc.internal.discovery.Directory;
import io.sluice.rpc.internal.discovery.ServiceKeys;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.loadbalance.LoadBalancer;
import io.sluice.rpc.internal.loadbalance.LoadBalancers;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The consumer side of one service key: its name parts, its provider {@link Directory}, and the load balancers
 * used for it (created on first use, one per balancer name, since some keep per-service state).
 *
 * <p>Thread-safe.
 */
public final class ServiceRef {
    private final String interfaceName;
    private final String version;
    private final String group;
    private final String serviceKey;
    private final Directory directory;
    private final LongSupplier clockMs;
    private final ConcurrentHashMap<String, LoadBalancer> balancers = new ConcurrentHashMap<>();

    public ServiceRef(String interfaceName, String version, String group, Directory directory, LongSupplier clockMs) {
        this.interfaceName = interfaceName;
        this.version = version == null ? "" : version;
        this.group = group == null ? "" : group;
        this.serviceKey = key(interfaceName, this.version, this.group);
        this.directory = directory;
        this.clockMs = clockMs;
    }

    /** The service key of an interface, version and group (see {@link ServiceKeys#key}). */
    public static String key(String interfaceName, String version, String group) {
        return ServiceKeys.key(interfaceName, version, group);
    }

    public String interfaceName() {
        return interfaceName;
    }

    public String version() {
        return version;
    }

    public String group() {
        return group;
    }

    public String serviceKey() {
        return serviceKey;
    }

    public Directory directory() {
        return directory;
    }

    public List<Endpoint> endpoints() {
        return directory.endpoints();
    }

    public LoadBalancer balancer(String name) {
        LoadBalancer lb = balancers.get(name);
        return lb != null ? lb : balancers.computeIfAbsent(name, n -> LoadBalancers.create(n, clockMs));
    }

    @Override
    public String toString() {
        return serviceKey;
    }
}
