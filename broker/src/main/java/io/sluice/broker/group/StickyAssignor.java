package io.sluice.broker.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@value #NAME}: a balanced assignment that moves as few partitions as possible. In three steps:
 * <ol>
 *   <li>every member keeps the partitions it owns that still exist and that it is still subscribed to;</li>
 *   <li>each partition nobody owns goes to the subscribed member with the fewest partitions (partitions with the
 *       fewest eligible members first);</li>
 *   <li>while some member holds a partition that a subscribed member with at least two fewer partitions could take,
 *       the most loaded member gives one away (a partition it got in step 2 before one it owned).</li>
 * </ol>
 * When every member subscribes to the same topics the result is balanced within one partition and moves no more
 * owned partitions than balance requires (members that own the most keep the larger shares). With different
 * subscriptions no single move can improve the balance. Used with the cooperative rebalance protocol: members keep
 * consuming what they keep, and only moved partitions are revoked. Stateless, thread-safe.
 */
final class StickyAssignor implements PartitionAssignor {
    static final String NAME = "cooperative-sticky";

    @Override
    public Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                               Map<String, Integer> partitionCount) {
        return assign(subscriptions, partitionCount, Map.of());
    }

    @Override
    public Map<String, List<TopicPart>> assign(SortedMap<String, List<String>> subscriptions,
                                               Map<String, Integer> partitionCount,
                                               Map<String, List<TopicPart>> owned) {
        Map<String, List<String>> membersByTopic = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : subscriptions.entrySet()) {
            for (String topic : new TreeSet<>(e.getValue())) {
                if (partitionCount.containsKey(topic)) {
                    membersByTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(e.getKey());
                }
            }
        }
        Map<String, Set<TopicPart>> held = new TreeMap<>();
        for (String member : subscriptions.keySet()) {
            held.put(member, new LinkedHashSet<>());
        }
        Set<TopicPart> taken = keepOwned(subscriptions, partitionCount, owned, held);
        assignUnowned(membersByTopic, partitionCount, taken, held);
        balance(membersByTopic, owned, held);
        Map<String, List<TopicPart>> out = new HashMap<>();
        held.forEach((member, parts) -> out.put(member, new ArrayList<>(new TreeSet<>(parts))));
        return out;
    }

    /** Step 1: members keep what they own and may still read; returns the partitions kept. */
    private static Set<TopicPart> keepOwned(SortedMap<String, List<String>> subscriptions,
                                            Map<String, Integer> partitionCount, Map<String, List<TopicPart>> owned,
                                            Map<String, Set<TopicPart>> held) {
        Set<TopicPart> taken = new HashSet<>();
        for (Map.Entry<String, List<String>> e : subscriptions.entrySet()) {
            Set<String> topics = new HashSet<>(e.getValue());
            for (TopicPart tp : owned.getOrDefault(e.getKey(), List.of())) {
                Integer count = partitionCount.get(tp.topic());
                if (count != null && tp.partition() < count && topics.contains(tp.topic()) && taken.add(tp)) {
                    held.get(e.getKey()).add(tp);
                }
            }
        }
        return taken;
    }

    /** Step 2: each partition nobody kept goes to the least loaded subscribed member. */
    private static void assignUnowned(Map<String, List<String>> membersByTopic, Map<String, Integer> partitionCount,
                                      Set<TopicPart> taken, Map<String, Set<TopicPart>> held) {
        List<TopicPart> free = new ArrayList<>();
        for (String topic : membersByTopic.keySet()) {
            for (int p = 0; p < partitionCount.get(topic); p++) {
                TopicPart tp = new TopicPart(topic, p);
                if (!taken.contains(tp)) {
                    free.add(tp);
                }
            }
        }
        free.sort(Comparator.comparingInt((TopicPart tp) -> membersByTopic.get(tp.topic()).size())
                .thenComparing(Comparator.naturalOrder()));
        for (TopicPart tp : free) {
            held.get(leastLoaded(membersByTopic.get(tp.topic()), held, null)).add(tp);
        }
    }

    /** Step 3: moves single partitions from the most loaded members while that narrows the gap by two or more. */
    private static void balance(Map<String, List<String>> membersByTopic, Map<String, List<TopicPart>> owned,
                                Map<String, Set<TopicPart>> held) {
        boolean moved = true;
        while (moved) {
            moved = false;
            List<String> byLoad = new ArrayList<>(held.keySet());
            byLoad.sort(Comparator.comparingInt((String m) -> -held.get(m).size()).thenComparing(m -> m));
            for (String from : byLoad) {
                TopicPart give = null;
                String to = null;
                Set<TopicPart> ownedByFrom = new HashSet<>(owned.getOrDefault(from, List.of()));
                for (TopicPart tp : held.get(from)) {
                    String candidate = leastLoaded(membersByTopic.get(tp.topic()), held, from);
                    if (candidate == null || held.get(from).size() - held.get(candidate).size() < 2) {
                        continue;
                    }
                    if (give == null || ownedByFrom.contains(give) && !ownedByFrom.contains(tp)) {
                        give = tp;
                        to = candidate;
                    }
                }
                if (give != null) {
                    held.get(from).remove(give);
                    held.get(to).add(give);
                    moved = true;
                    break;
                }
            }
        }
    }

    /** The member of {@code candidates} (other than {@code except}) with the fewest partitions; ties by id. */
    private static String leastLoaded(List<String> candidates, Map<String, Set<TopicPart>> held, String except) {
        String best = null;
        for (String m : candidates) {
            if (!m.equals(except) && (best == null || held.get(m).size() < held.get(best).size())) {
                best = m;
            }
        }
        return best;
    }
}
