package io.sluice.broker.group;

import io.sluice.remoting.transport.RequestContext;

import java.util.List;

/** One member of a {@link ConsumerGroup}. Guarded by its group's lock. */
final class GroupMember {
    final String memberId;
    final String clientId;
    final String host;
    /** Static membership id, or null. */
    String instanceId;
    List<String> topics;
    /** The assignment strategies the member supports, most preferred first. */
    List<String> assignors = List.of();
    /** The partitions the member still owns while it re-joins (cooperative protocol), and their generation. */
    List<TopicPart> owned = List.of();
    int ownedGeneration = -1;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    long lastHeartbeatNs;
    /** The parked JOIN_GROUP of this member while a rebalance runs, else null. */
    RequestContext pendingJoin;
    List<TopicPart> assignment = List.of();

    GroupMember(String memberId, String clientId, String host) {
        this.memberId = memberId;
        this.clientId = clientId;
        this.host = host;
    }

    boolean expired(long nowNs) {
        return pendingJoin == null && nowNs - lastHeartbeatNs > sessionTimeoutMs * 1_000_000L;
    }
}
