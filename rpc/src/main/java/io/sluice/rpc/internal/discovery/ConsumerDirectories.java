package io.sluice.rpc.internal.discovery;

import io.sluice.registry.RegistryClient;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.endpoint.ChannelPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A consumer's {@link Directory}s, one per service key and provider source (the registry, or one direct address
 * list), shared by every stub of that service; and the consumer's own registrations in the registry. Closing
 * stops the subscriptions, removes the registrations and closes the registry session if it owns it.
 *
 * <p>Thread-safe.
 */
public final class ConsumerDirectories implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerDirectories.class);

    private final RegistryClient registry;
    private final boolean ownsRegistry;
    private final ChannelPool pool;
    private final Directory.BreakerFactory breakers;
    private final RpcEventListener listener;
    private final String consumerId;
    private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();

    public ConsumerDirectories(RegistryClient registry, boolean ownsRegistry, ChannelPool pool,
                               Directory.BreakerFactory breakers, RpcEventListener listener, String consumerId) {
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
        this.pool = pool;
        this.breakers = breakers;
        this.listener = listener;
        this.consumerId = consumerId;
    }

    /** The directory of {@code serviceKey}, fed by {@code address} ("rpc://...") or, if null, the registry. */
    public Directory directory(String serviceKey, String address) {
        String key = serviceKey + "|" + (address == null ? "registry" : address);
        return subscriptions.computeIfAbsent(key, k -> subscribe(serviceKey, address)).directory;
    }

    private Subscription subscribe(String serviceKey, String address) {
        Directory directory = new Directory(serviceKey, pool, breakers, 0, listener);
        if (address != null) {
            directory.update(DirectAddresses.parse(serviceKey, address));
            return new Subscription(directory, null);
        }
        if (registry == null) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "no registry and no address for " + serviceKey
                    + ": use RpcClient.builder().registry(\"zookeeper://host:port\") or the stub option address("
                    + "\"rpc://host:port\")");
        }
        return new Subscription(directory, registry.services().subscribe(serviceKey, instances -> {
            directory.absentHint(instances.isEmpty() ? registeredInstead(serviceKey) : "");
            directory.update(instances);
        }));
    }

    /**
     * The service keys with live providers of the same interface as {@code serviceKey} but another version or group,
     * as a sentence for NO_PROVIDER (empty if there are none or the registry cannot say). Read from the registry
     * when a subscription finds no provider, on the registry's notification thread, not on a call.
     */
    private String registeredInstead(String serviceKey) {
        String interfaceName = ServiceKeys.interfaceOf(serviceKey);
        List<String> others = new ArrayList<>();
        try {
            for (String key : registry.services().services()) {
                if (!key.equals(serviceKey) && ServiceKeys.interfaceOf(key).equals(interfaceName)
                        && !registry.services().providers(key).isEmpty()) {
                    others.add(ServiceKeys.describe(key));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot list the services registered beside {}: {}", serviceKey, e.toString());
            return "";
        }
        return others.isEmpty() ? "" : "; providers of " + interfaceName + " are registered with "
                + String.join(", ", others) + " (set the stub's version and group to match: "
                + "o.version(\"...\").group(\"...\"))";
    }

    /** Registers this consumer of {@code serviceKey} (shown by {@code rpc list}); failures are only logged. */
    public void registerConsumer(String serviceKey, String application, String version, String group,
                                 List<String> methods) {
        if (registry == null) {
            return;
        }
        Map<String, String> metadata = new HashMap<>();
        metadata.put("application", application);
        metadata.put("pid", Long.toString(ProcessHandle.current().pid()));
        metadata.put("version", version);
        metadata.put("group", group);
        metadata.put("methods", String.join(",", methods));
        metadata.put("startedAtMs", Long.toString(System.currentTimeMillis()));
        try {
            registry.services().registerConsumer(serviceKey, consumerId, metadata);
        } catch (RuntimeException e) {
            LOG.warn("cannot register consumer {} of {}: {}", consumerId, serviceKey, e.toString());
        }
    }

    /** Every directory of {@code serviceKey} (one per provider source). */
    public List<Directory> directories(String serviceKey) {
        List<Directory> out = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            if (s.directory.serviceKey().equals(serviceKey)) {
                out.add(s.directory);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (Subscription s : subscriptions.values()) {
            s.close();
            if (registry != null) {
                try {
                    registry.services().unregisterConsumer(s.directory.serviceKey(), consumerId);
                } catch (RuntimeException e) {
                    LOG.debug("cannot unregister consumer of {}: {}", s.directory.serviceKey(), e.toString());
                }
            }
        }
        subscriptions.clear();
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }

    /** A directory and the registry subscription feeding it (null for direct addresses). */
    private record Subscription(Directory directory, AutoCloseable handle) {
        void close() {
            if (handle != null) {
                try {
                    handle.close();
                } catch (Exception e) {
                    LOG.debug("closing subscription of {}: {}", directory.serviceKey(), e.toString());
                }
            }
            directory.close();
        }
    }
}
