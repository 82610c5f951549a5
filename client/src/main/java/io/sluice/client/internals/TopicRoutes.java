package io.sluice.client.internals;

import io.sluice.client.PartitionInfo;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where every partition of one topic lives, resolved to broker addresses, as of one nameserver answer. Partitions
 * are indexed by number. Immutable and thread-safe.
 */
final class TopicRoutes {
    private final String topic;
    private final int replicationFactor;
    private final Map<String, String> configs;
    private final PartitionRoute[] partitions;
    private final InetSocketAddress[] leaders;
    private final int[] available;

    TopicRoutes(TopicRoute route, Map<Integer, InetSocketAddress> brokers) {
        this.topic = route.topic;
        this.replicationFactor = route.replicationFactor;
        this.configs = route.configs == null ? Map.of() : Map.copyOf(route.configs);
        List<PartitionRoute> list = route.partitions == null ? List.of() : route.partitions;
        int count = 0;
        for (PartitionRoute p : list) {
            count = Math.max(count, p.partition + 1);
        }
        this.partitions = new PartitionRoute[count];
        this.leaders = new InetSocketAddress[count];
        int live = 0;
        for (PartitionRoute p : list) {
            if (p.partition < 0) {
                continue;
            }
            partitions[p.partition] = p;
            leaders[p.partition] = p.leader < 0 ? null : brokers.get(p.leader);
        }
        for (InetSocketAddress leader : leaders) {
            if (leader != null) {
                live++;
            }
        }
        this.available = new int[live];
        int i = 0;
        for (int p = 0; p < count; p++) {
            if (leaders[p] != null) {
                available[i++] = p;
            }
        }
    }

    public String topic() {
        return topic;
    }

    public int partitionCount() {
        return partitions.length;
    }

    public int replicationFactor() {
        return replicationFactor;
    }

    public Map<String, String> configs() {
        return configs;
    }

    /** The address of the partition's leader, or null when it has none or the broker is not known. */
    public InetSocketAddress leader(int partition) {
        return partition >= 0 && partition < leaders.length ? leaders[partition] : null;
    }

    /** The partition's route, or null when the nameserver did not list it. */
    public PartitionRoute partition(int partition) {
        return partition >= 0 && partition < partitions.length ? partitions[partition] : null;
    }

    public int leaderEpoch(int partition) {
        PartitionRoute p = partition(partition);
        return p == null ? -1 : p.leaderEpoch;
    }

    /** Partitions with a reachable leader, ascending. Do not modify. */
    public int[] availablePartitions() {
        return available;
    }

    public List<PartitionInfo> partitionInfos() {
        List<PartitionInfo> out = new ArrayList<>(partitions.length);
        for (int p = 0; p < partitions.length; p++) {
            PartitionRoute r = partitions[p];
            out.add(r == null
                    ? new PartitionInfo(topic, p, -1, -1, List.of(), List.of())
                    : new PartitionInfo(topic, p, r.leader, r.leaderEpoch, r.replicas, r.isr));
        }
        return Collections.unmodifiableList(out);
    }
}
