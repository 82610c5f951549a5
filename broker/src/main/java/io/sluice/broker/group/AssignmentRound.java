package io.sluice.broker.group;

import io.sluice.remoting.protocol.GroupPartitions;
import io.sluice.remoting.protocol.JoinGroupRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The assignment of one rebalance, computed when every member has (re-)joined:
 * <ol>
 *   <li>the strategy: the first choice of the oldest member among the strategies every member supports
 *       ({@link #commonStrategies});</li>
 *   <li>ownership: the partitions each member says it still owns; a partition claimed by two members belongs to the
 *       claim from the newer generation (the other is a zombie's);</li>
 *   <li>the target assignment from the strategy's {@link PartitionAssignor}, which a sticky assignor bases on that
 *       ownership;</li>
 *   <li>the hand-over rule of the cooperative protocol: a partition still owned by another member is withheld from
 *       its new owner in this generation. Its current owner is not given it, so it revokes it and re-joins at once;
 *       the follow-up rebalance then hands it over. So no partition is ever read by two members of one generation,
 *       and members keep reading what they keep. Members that revoked everything before joining (the eager
 *       protocol) claim nothing, and nothing is withheld from them.</li>
 * </ol>
 * Stateless; called under the group's lock.
 */
final class AssignmentRound {
    private static final Logger log = LoggerFactory.getLogger(AssignmentRound.class);

    private AssignmentRound() {
    }

    /** The strategies the member supports, most preferred first; INVALID_REQUEST for an unknown one. */
    static List<String> strategiesOf(JoinGroupRequest request) {
        List<String> names = request.assignors != null && !request.assignors.isEmpty() ? request.assignors
                : List.of(request.assignor == null || request.assignor.isEmpty() ? RangeAssignor.NAME
                : request.assignor);
        List<String> out = new ArrayList<>();
        for (String name : names) {
            PartitionAssignor.forName(name);
            String canonical = name.equals("round-robin") ? RoundRobinAssignor.NAME : name;
            if (!out.contains(canonical)) {
                out.add(canonical);
            }
        }
        return List.copyOf(out);
    }

    /** The partitions of a join's {@code owned} list (malformed entries skipped). */
    static List<TopicPart> fromWire(List<GroupPartitions> parts) {
        if (parts == null || parts.isEmpty()) {
            return List.of();
        }
        List<TopicPart> out = new ArrayList<>();
        for (GroupPartitions g : parts) {
            if (g != null && g.topic != null && g.partitions != null) {
                for (Integer p : g.partitions) {
                    if (p != null && p >= 0) {
                        out.add(new TopicPart(g.topic, p));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    /** The strategies every member of {@code members} supports, in the order the first (oldest) one prefers. */
    static List<String> commonStrategies(Collection<GroupMember> members) {
        List<String> common = null;
        for (GroupMember m : members) {
            if (common == null) {
                common = new ArrayList<>(m.assignors);
            } else {
                common.retainAll(m.assignors);
            }
        }
        return common == null ? List.of() : common;
    }

    /** The strategy of the next generation: the oldest member's first choice that all support ("range" if none). */
    static String chooseStrategy(Collection<GroupMember> members) {
        List<String> common = commonStrategies(members);
        return common.isEmpty() ? RangeAssignor.NAME : common.get(0);
    }

    /** Member id -> the partitions it gets in this generation (see the class comment). */
    static Map<String, List<TopicPart>> assign(String groupId, Collection<GroupMember> members, String strategy,
                                               Function<String, Integer> partitionCount) {
        SortedMap<String, List<String>> subscriptions = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (GroupMember m : members) {
            subscriptions.put(m.memberId, m.topics);
            for (String topic : m.topics) {
                Integer n = partitionCount.apply(topic);
                if (n != null) {
                    counts.put(topic, n);
                }
            }
        }
        Map<TopicPart, GroupMember> owners = owners(members);
        Map<String, List<TopicPart>> owned = new HashMap<>();
        owners.forEach((tp, m) -> owned.computeIfAbsent(m.memberId, id -> new ArrayList<>()).add(tp));
        Map<String, List<TopicPart>> target = PartitionAssignor.forName(strategy).assign(subscriptions, counts, owned);
        Map<String, List<TopicPart>> out = new HashMap<>();
        List<TopicPart> withheld = new ArrayList<>();
        for (GroupMember m : members) {
            List<TopicPart> mine = new ArrayList<>();
            for (TopicPart tp : target.getOrDefault(m.memberId, List.of())) {
                GroupMember owner = owners.get(tp);
                if (owner == null || owner == m) {
                    mine.add(tp);
                } else {
                    withheld.add(tp);
                }
            }
            out.put(m.memberId, mine);
        }
        if (!withheld.isEmpty()) {
            log.info("Group {}: {} partition(s) move once their owners revoke them and re-join: {}", groupId,
                    withheld.size(), withheld);
        }
        return out;
    }

    /** Each claimed partition's owner: the claim from the newest generation wins (the first such claim on a tie). */
    private static Map<TopicPart, GroupMember> owners(Collection<GroupMember> members) {
        Map<TopicPart, GroupMember> owners = new HashMap<>();
        for (GroupMember m : members) {
            Set<TopicPart> claims = new LinkedHashSet<>(m.owned);
            for (TopicPart tp : claims) {
                GroupMember other = owners.get(tp);
                if (other == null || m.ownedGeneration > other.ownedGeneration) {
                    owners.put(tp, m);
                }
            }
        }
        return owners;
    }
}
