package io.sluice.rpc.internal.provider;

import io.sluice.registry.RegistryClient;
import io.sluice.registry.ServiceInstance;
import io.sluice.rpc.internal.discovery.ProviderMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider's entries in the registry: one ephemeral node per exported service (built-in services excluded),
 * created once the provider is ready and removed first thing on shutdown. Works without a registry (direct calls
 * only), doing nothing. Closes the registry session if it owns it.
 *
 * <p>Thread-safe: the list of registered instances is guarded by this object.
 */
public final class ProviderRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistration.class);

    private final RegistryClient registry;
    private final boolean ownsRegistry;
    private final List<ServiceInstance> registered = new ArrayList<>();

    public ProviderRegistration(RegistryClient registry, boolean ownsRegistry) {
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
    }

    /** Registers every service at {@code host:port}; the metadata tells consumers the warm-up and more. */
    public void registerAll(List<ExportedService> services, String host, int port, long warmupMs,
                            String application) {
        if (registry == null) {
            return;
        }
        long startedAtMs = System.currentTimeMillis();
        for (ExportedService s : services) {
            if (s.type() == HealthCheck.class) {
                continue;
            }
            Map<String, String> metadata = new HashMap<>();
            metadata.put(ProviderMetadata.WARMUP_MS, Long.toString(warmupMs));
            metadata.put(ProviderMetadata.METHODS, s.methodNames());
            metadata.put(ProviderMetadata.APPLICATION, application);
            metadata.put(ProviderMetadata.PROTOCOL, "sluice");
            ServiceInstance instance = ServiceInstance.builder(s.serviceKey()).address(host, port)
                    .weight(s.weight()).version(s.version()).group(s.group()).startedAtMs(startedAtMs)
                    .metadata(metadata).build();
            registry.services().register(instance);
            synchronized (this) {
                registered.add(instance);
            }
        }
    }

    /** True if consumers may know this provider through the registry (so a shutdown grace period helps). */
    public synchronized boolean any() {
        return !registered.isEmpty();
    }

    /** Removes every registration; failures are logged (the nodes go with the session anyway). */
    public void deregisterAll() {
        List<ServiceInstance> copy;
        synchronized (this) {
            copy = new ArrayList<>(registered);
            registered.clear();
        }
        for (ServiceInstance instance : copy) {
            try {
                registry.services().unregister(instance);
            } catch (RuntimeException e) {
                LOG.warn("cannot deregister {}: {} (its node goes with the registry session)", instance.serviceKey(),
                        e.toString());
            }
        }
    }

    @Override
    public void close() {
        deregisterAll();
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
