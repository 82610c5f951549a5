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
    /** The strategies a member may name, in no particular order. */
    List<String> NAMES = List.of(RangeAssignor.NAME, RoundRobinAssignor.NAME, StickyAssignor.NAME);

    /**
     * @param subscriptions  member id -> subscribed topics, members in a stable (sorted) order
     * @param partitionCount topic -> number of partitions (topics that do not exist are absent)
     * @return member id -> its partitions (every member present, possibly with none)
     */
    Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                        Map<String, Integer> partitionCount);

    /**
     * Like {@link #assign(SortedMap, Map)}, knowing which partitions each member owns now ({@code owned}: member id
     * -> partitions, no partition under two members). Only a sticky assignor uses it; the others ignore it.
     */
    default Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                                Map<String, Integer> partitionCount,
                                                Map<String, List<TopicPart>> owned) {
        return assign(subscriptions, partitionCount);
    }

    /** The assignor named {@code name} (one of {@link #NAMES}); INVALID_REQUEST for another name. */
    static PartitionAssignor forName(String name) {
        if (name == null || name.isEmpty() || name.equals(RangeAssignor.NAME)) {
            return new RangeAssignor();
        }
        if (name.equals(RoundRobinAssignor.NAME) || name.equals("round-robin")) {
            return new RoundRobinAssignor();
        }
        if (name.equals(StickyAssignor.NAME)) {
            return new StickyAssignor();
        }
        throw new SluiceException(ErrorCode.INVALID_REQUEST, "unknown partition assignor '" + name
                + "': use one of " + NAMES);
    }
}
