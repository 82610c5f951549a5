package io.sluice.client;

import java.util.List;

/**
 * What {@link Admin#describeCluster} knows about the cluster, as one nameserver sees it. Immutable.
 *
 * @param brokers           live brokers, ordered by id
 * @param controller        the active controller (the nameserver holding it, e.g.
 *                          {@code nameserver@127.0.0.1:9876}), null when none is known
 * @param controllerEpoch   the controller's epoch; it goes up with every new controller (0 when none was seen)
 * @param underReplicated   partitions whose in-sync set is smaller than their replica set
 * @param offline           partitions without a live leader
 * @param registry          the answering nameserver's connection to the registry (ZooKeeper); null from a
 *                          nameserver that does not report it
 * @param underReplicatedCount under-replicated partitions in all: the list holds the first 1,000 (by topic and
 *                          partition) when there are more
 * @param offlineCount      offline partitions in all, of which the list holds the first 1,000
 */
public record ClusterDescription(List<Broker> brokers, String controller, long controllerEpoch,
                                 List<PartitionInfo> underReplicated, List<PartitionInfo> offline,
                                 Registry registry, int underReplicatedCount, int offlineCount) {
    public ClusterDescription {
        brokers = brokers == null ? List.of() : List.copyOf(brokers);
        underReplicated = underReplicated == null ? List.of() : List.copyOf(underReplicated);
        offline = offline == null ? List.of() : List.copyOf(offline);
        underReplicatedCount = Math.max(underReplicatedCount, underReplicated.size());
        offlineCount = Math.max(offlineCount, offline.size());
    }

    /** The same with every under-replicated and offline partition listed. */
    public ClusterDescription(List<Broker> brokers, String controller, long controllerEpoch,
                              List<PartitionInfo> underReplicated, List<PartitionInfo> offline, Registry registry) {
        this(brokers, controller, controllerEpoch, underReplicated, offline, registry, 0, 0);
    }

    /** The same without the registry's state (as from a nameserver that does not report it). */
    public ClusterDescription(List<Broker> brokers, String controller, long controllerEpoch,
                              List<PartitionInfo> underReplicated, List<PartitionInfo> offline) {
        this(brokers, controller, controllerEpoch, underReplicated, offline, null);
    }

    /**
     * The nameserver's connection to the registry. While it is not {@link #connected()}, everything else in the
     * description is as of the last update before the outage, and the cluster cannot change: topics cannot be
     * created or deleted ({@code REGISTRY_UNAVAILABLE}), no partition leader is elected, and leaders that lost the
     * registry too cannot confirm their leadership, so they freeze their high watermarks and acks=all writes stall.
     *
     * @param state         {@code CONNECTED}, {@code SUSPENDED} (the connection dropped; its session may live on)
     *                      or {@code LOST} (the session is gone; reconnecting with a new one)
     * @param since         when the nameserver entered {@code state} (its clock)
     * @param forMs         how long it had been in {@code state} when it answered
     * @param connectString the ZooKeeper ensemble
     */
    public record Registry(String state, java.time.Instant since, long forMs, String connectString) {
        /** True while the nameserver is connected to the registry. */
        public boolean connected() {
            return "CONNECTED".equals(state);
        }
    }

    /**
     * A live broker.
     *
     * @param id            broker id
     * @param host          host it serves on
     * @param port          port it serves on
     * @param rack          its rack, empty when it declared none
     * @param storage       what its storage allows: {@code OK}, {@code LOW_SPACE} (free space under its floor:
     *                      produces are refused) or {@code FULL} (its disk filled up); empty if it does not say
     * @param storageDetail the storage state in words (free bytes, floor, directory as of the last change), or empty
     */
    public record Broker(int id, String host, int port, String rack, String storage, String storageDetail) {
        public Broker {
            rack = rack == null ? "" : rack;
            storage = storage == null ? "" : storage;
            storageDetail = storageDetail == null ? "" : storageDetail;
        }

        /** A broker that says nothing about its storage. */
        public Broker(int id, String host, int port, String rack) {
            this(id, host, port, rack, "", "");
        }
    }
}
