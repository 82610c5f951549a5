package io.sluice.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Deals all partitions of all subscribed topics (sorted by topic, then partition) to the members in turn, skipping
 * members not subscribed to a partition's topic. Stateless, thread-safe.
 */
final class RoundRobinAssignor implements PartitionAssignor {
    static final String NAME = "roundrobin";

    @Override
    public Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                               Map<String, Integer> partitionCount) {
        Map<String, List<TopicPart>> out = new HashMap<>();
        Map<String, Set<String>> topicsOf = new HashMap<>();
        TreeSet<TopicPart> all = new TreeSet<>();
        for (Map.Entry<String, List<String>> e : subscriptions.entrySet()) {
            out.put(e.getKey(), new ArrayList<>());
            topicsOf.put(e.getKey(), new HashSet<>(e.getValue()));
            for (String topic : e.getValue()) {
                Integer count = partitionCount.get(topic);
                for (int p = 0; count != null && p < count; p++) {
                    all.add(new TopicPart(topic, p));
                }
            }
        }
        List<String> members = new ArrayList<>(subscriptions.keySet());
        int next = 0;
        for (TopicPart tp : all) {
            for (int tried = 0; tried < members.size(); tried++) {
                String member = members.get(next);
                next = (next + 1) % members.size();
                if (topicsOf.get(member).contains(tp.topic())) {
                    out.get(member).add(tp);
                    break;
                }
            }
        }
        return out;
    }
}
