package io.sluice.broker.group;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Computes a group's assignment on the coordinator: which member reads which partitions. Every partition of every
 * subscribed topic goes to exactly one member subscribed to its topic. Implementations are stateless and
 * thread-safe.
 */
interface PartitionAssignor {
    /**
     * @param subscriptions  member id -> subscribed topics, members in a stable (sorted) order
     * @param partitionCount topic -> number of partitions (topics that do not exist are absent)
     * @return member id -> its partitions (every member present, possibly with none)
     */
    Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                        Map<String, Integer> partitionCount);

    /** The assignor named {@code name} ("range" or "roundrobin"); INVALID_REQUEST for another name. */
    static PartitionAssignor forName(String name) {
        if (name == null || name.isEmpty() || name.equals("range")) {
            return new RangeAssignor();
        }
        if (name.equals("roundrobin") || name.equals("round-robin")) {
            return new RoundRobinAssignor();
        }
        throw new SluiceException(ErrorCode.INVALID_REQUEST, "unknown partition assignor '" + name
                + "': use range or roundrobin");
    }
}
