package io.sluice.nameserver;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spreads the replicas of a new topic's partitions over the live brokers: leaders round robin from a starting
 * broker, followers on the next brokers, and, when brokers declare racks, the broker list interleaved by rack so
 * consecutive replicas land on different racks. Stateless.
 */
public final class ReplicaAssigner {
    private ReplicaAssigner() {
    }

    /** Replica lists per partition; the first replica is the preferred leader. */
    public static List<List<Integer>> assign(List<BrokerInfo> live, int partitions, int replicationFactor, int start) {
        if (replicationFactor < 1) {
            throw new SluiceException(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "replication factor must be at least 1, not " + replicationFactor);
        }
        if (live.isEmpty()) {
            throw new SluiceException(ErrorCode.BROKER_NOT_AVAILABLE, "no live broker to host the topic");
        }
        if (replicationFactor > live.size()) {
            throw new SluiceException(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor " + replicationFactor
                    + " is larger than the " + live.size() + " live broker(s)");
        }
        List<Integer> order = rackInterleaved(live);
        Map<Integer, String> rackOf = new java.util.HashMap<>();
        for (BrokerInfo b : live) {
            rackOf.put(b.id, b.rack == null ? "" : b.rack);
        }
        int racks = (int) rackOf.values().stream().distinct().count();
        int n = order.size();
        List<List<Integer>> result = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            int first = Math.floorMod(start + p, n);
            int shift = 1 + (p / n) % Math.max(1, n - 1);
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            java.util.Set<String> usedRacks = new java.util.HashSet<>();
            replicas.add(order.get(first));
            usedRacks.add(rackOf.get(order.get(first)));
            for (int r = 1; r < replicationFactor; r++) {
                int from = first + shift + r - 1;
                int chosen = -1;
                // Prefer the next broker on a rack not used yet by this partition; any unused broker otherwise.
                for (int k = 0; k < n && chosen < 0; k++) {
                    int candidate = order.get(Math.floorMod(from + k, n));
                    if (!replicas.contains(candidate)
                            && (usedRacks.size() >= racks || !usedRacks.contains(rackOf.get(candidate)))) {
                        chosen = candidate;
                    }
                }
                for (int k = 0; k < n && chosen < 0; k++) {
                    int candidate = order.get(Math.floorMod(from + k, n));
                    if (!replicas.contains(candidate)) {
                        chosen = candidate;
                    }
                }
                replicas.add(chosen);
                usedRacks.add(rackOf.get(chosen));
            }
            result.add(replicas);
        }
        return result;
    }

    private static List<Integer> rackInterleaved(List<BrokerInfo> live) {
        Map<String, List<Integer>> byRack = new LinkedHashMap<>();
        live.stream().sorted(Comparator.comparingInt((BrokerInfo b) -> b.id))
                .forEach(b -> byRack.computeIfAbsent(b.rack == null ? "" : b.rack, k -> new ArrayList<>()).add(b.id));
        List<Integer> order = new ArrayList<>(live.size());
        for (int i = 0; order.size() < live.size(); i++) {
            for (List<Integer> ids : byRack.values()) {
                if (i < ids.size()) {
                    order.add(ids.get(i));
                }
            }
        }
        return order;
    }
}
