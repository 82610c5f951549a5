package io.sluice.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Per topic, splits the partitions into contiguous ranges over the members subscribed to it (in member order); the
 * first {@code partitions % members} members get one more. Stateless, thread-safe.
 */
final class RangeAssignor implements PartitionAssignor {
    static final String NAME = "range";

    @Override
    public Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                               Map<String, Integer> partitionCount) {
        Map<String, List<TopicPart>> out = new HashMap<>();
        Map<String, List<String>> membersByTopic = new HashMap<>();
        for (Map.Entry<String, List<String>> e : subscriptions.entrySet()) {
            out.put(e.getKey(), new ArrayList<>());
            for (String topic : new TreeSet<>(e.getValue())) {
                membersByTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(e.getKey());
            }
        }
        for (Map.Entry<String, List<String>> e : membersByTopic.entrySet()) {
            Integer count = partitionCount.get(e.getKey());
            if (count == null) {
                continue;
            }
            List<String> members = e.getValue();
            int per = count / members.size();
            int extra = count % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int n = per + (i < extra ? 1 : 0);
                for (int k = 0; k < n; k++) {
                    out.get(members.get(i)).add(new TopicPart(e.getKey(), next++));
                }
            }
        }
        return out;
    }
}
