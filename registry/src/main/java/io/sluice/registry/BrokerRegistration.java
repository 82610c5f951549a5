package io.sluice.registry;

import io.sluice.remoting.protocol.BrokerInfo;

/**
 * One live broker registration as stored in the registry: what the broker registered and the registry session that
 * holds it. The session identifies the broker's incarnation: a restarted broker process registers from a new
 * session (taking over its predecessor's stale node), so two registrations of one broker id with different sessions
 * are two different processes.
 *
 * @param broker  the registered broker (id, host, port, rack, start time); must not be mutated
 * @param session id of the registry session holding the registration (ZooKeeper's ephemeral owner)
 */
public record BrokerRegistration(BrokerInfo broker, long session) {
    public int id() {
        return broker.id;
    }

    /** The broker's address as registered, "host:port". */
    public String address() {
        return broker.host + ":" + broker.port;
    }
}
