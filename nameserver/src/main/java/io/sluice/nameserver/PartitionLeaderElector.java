package io.sluice.nameserver;

import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicConfigs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what the controller writes for one partition given the live brokers: a new leader when the current one
 * is gone, and an in-sync set without dead brokers.
 *
 * <ul>
 *   <li>Leader live: dead followers leave the in-sync set (the leader always stays in it); nothing else changes.</li>
 *   <li>Leader dead: the first replica in preference order that is live and in sync leads, with the leader epoch
 *       bumped and the in-sync set cut to its live members.</li>
 *   <li>Leader dead, no live in-sync replica: with {@value #UNCLEAN} = true for the topic, the first live replica
 *       leads alone (records only the old in-sync set had may be lost); otherwise nothing changes, the partition
 *       stays offline, and the last in-sync set is kept so that one of those replicas leads when it returns.</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class PartitionLeaderElector {
    /** Topic config that allows electing a replica outside the in-sync set. Off by default. */
    static final String UNCLEAN = TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE.name();

    private PartitionLeaderElector() {
    }

    /** What should change for one partition. */
    enum Change { NONE, NEW_LEADER, UNCLEAN_LEADER, SHRINK_ISR }

    /** The decision: the kind of change and the state to write (null for {@link Change#NONE}). */
    record Decision(Change change, PartitionState next) {
        static final Decision NONE = new Decision(Change.NONE, null);
    }

    static boolean uncleanAllowed(Map<String, String> topicConfigs) {
        return Boolean.parseBoolean(topicConfigs.getOrDefault(UNCLEAN, "false").trim());
    }

    static Decision decide(PartitionState state, Set<Integer> live, boolean unclean) {
        if (state.hasLeader() && live.contains(state.leader())) {
            if (state.isr().contains(state.leader()) && live.containsAll(state.isr())) {
                return Decision.NONE; // the common case, decided for every partition on every pass: no allocation
            }
            List<Integer> isr = liveMembers(state.isr(), live);
            if (!isr.contains(state.leader())) {
                isr.add(0, state.leader());
            }
            return isr.equals(state.isr()) ? Decision.NONE
                    : new Decision(Change.SHRINK_ISR, state.withIsr(isr));
        }
        List<Integer> liveIsr = liveMembers(state.isr(), live);
        for (int replica : state.replicas()) {
            if (liveIsr.contains(replica)) {
                return new Decision(Change.NEW_LEADER,
                        state.withLeader(replica, state.leaderEpoch() + 1).withIsr(liveIsr));
            }
        }
        if (unclean) {
            for (int replica : state.replicas()) {
                if (live.contains(replica)) {
                    return new Decision(Change.UNCLEAN_LEADER,
                            state.withLeader(replica, state.leaderEpoch() + 1).withIsr(List.of(replica)));
                }
            }
        }
        return Decision.NONE;
    }

    private static List<Integer> liveMembers(List<Integer> ids, Set<Integer> live) {
        List<Integer> out = new ArrayList<>(ids.size());
        for (int id : ids) {
            if (live.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }
}
