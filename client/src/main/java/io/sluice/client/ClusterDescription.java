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
     * @param id   broker id
     * @param host host it serves on
     * @param port port it serves on
     * @param rack its rack, empty when it declared none
     */
    public record Broker(int id, String host, int port, String rack) {
        public Broker {
            rack = rack == null ? "" : rack;
        }
    }
}
