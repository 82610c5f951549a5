package io.sluice.registry;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Generic service discovery for the RPC module: providers register ephemeral nodes
 * {@code /services/<serviceKey>/providers/<instanceId>} (re-created after a session expiry), consumers register
 * {@code /services/<serviceKey>/consumers/<consumerId>}. Service keys, instance ids and consumer ids must be valid
 * node names (no '/'); INVALID_REQUEST otherwise.
 *
 * <p>Thread-safe. Listener calls run on the registry's notification thread, one at a time.
 */
public interface ServiceRegistry {
    /** The key under which each consumer's id is returned by {@link #consumers(String)}. */
    String CONSUMER_ID = "consumerId";

    /**
     * Registers (or updates this client's registration of) a provider instance. INVALID_REQUEST for an empty host,
     * a port outside 1..65535 or a negative weight.
     */
    void register(ServiceInstance instance);

    /** Removes this client's registration of that instance; nothing happens if it has none. */
    void unregister(ServiceInstance instance);

    /** Registers (or updates) a consumer with free-form metadata. */
    void registerConsumer(String serviceKey, String consumerId, Map<String, String> metadata);

    /** Removes this client's registration of that consumer; nothing happens if it has none. */
    void unregisterConsumer(String serviceKey, String consumerId);

    /** Every service key ever registered (a key may have no live provider), sorted. */
    List<String> services();

    /** The live providers of {@code serviceKey}, sorted by instance id, straight from ZooKeeper. */
    List<ServiceInstance> providers(String serviceKey);

    /** Each live consumer's metadata plus its id under {@link #CONSUMER_ID}, sorted by id. */
    List<Map<String, String>> consumers(String serviceKey);

    /**
     * Calls {@code listener} with the full list of live providers (sorted by instance id) now and after each change
     * (bursts merged). The list is cached locally and survives ZooKeeper being unreachable. Close the handle to stop.
     */
    AutoCloseable subscribe(String serviceKey, Consumer<List<ServiceInstance>> listener);
}
