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
 */
public record ClusterDescription(List<Broker> brokers, String controller, long controllerEpoch,
                                 List<PartitionInfo> underReplicated, List<PartitionInfo> offline) {
    public ClusterDescription {
        brokers = brokers == null ? List.of() : List.copyOf(brokers);
        underReplicated = underReplicated == null ? List.of() : List.copyOf(underReplicated);
        offline = offline == null ? List.of() : List.copyOf(offline);
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
