package io.sluice.registry;

import io.sluice.remoting.protocol.BrokerInfo;
import java.util.List;
import java.util.function.Consumer;

/**
 * Live brokers: each broker registers an ephemeral node {@code /brokers/<id>} that lives as long as its registry
 * session, and is re-created automatically when a new session replaces an expired one.
 *
 * <p>Thread-safe. Listener calls run on the registry's notification thread, one at a time; the lists handed out are
 * unmodifiable and their {@link BrokerInfo} elements must not be mutated.
 */
public interface BrokerRegistry {
    /**
     * Registers {@code broker} (or updates this client's own registration of the same id). Throws INVALID_CONFIG
     * ("broker id N is already registered by host:port") if another live session holds the id, INVALID_CONFIG for
     * a negative id, empty host or a port outside 1..65535, REGISTRY_UNAVAILABLE if ZooKeeper cannot be reached.
     */
    void register(BrokerInfo broker);

    /** Removes this client's registration of {@code brokerId}; nothing happens if it has none. */
    void unregister(int brokerId);

    /** The live brokers sorted by id, from a local cache kept current by a watch (may lag a write briefly). */
    List<BrokerInfo> liveBrokers();

    /**
     * The live registrations sorted by broker id, read straight from the registry (never from a cache that may lag),
     * each with the session that holds it. Throws REGISTRY_UNAVAILABLE if the registry cannot be reached.
     */
    List<BrokerRegistration> registrations();

    /**
     * Calls {@code listener} with the full list of live brokers now and after each change (bursts are merged).
     * Close the returned handle to stop.
     */
    AutoCloseable watch(Consumer<List<BrokerInfo>> listener);
}
