package io.sluice.broker.group;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.DescribeGroupResponse;
import io.sluice.remoting.protocol.GroupMemberDescription;
import io.sluice.remoting.protocol.GroupPartitions;
import io.sluice.remoting.protocol.GroupSummary;
import io.sluice.remoting.protocol.JoinGroupRequest;
import io.sluice.remoting.protocol.JoinGroupResponse;
import io.sluice.remoting.transport.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * The membership of one consumer group on its coordinator, as a state machine driven by requests and by
 * {@link #onTimeEvent(long)}:
 * <ul>
 *   <li>EMPTY: no members (committed offsets may still exist).</li>
 *   <li>PREPARING_REBALANCE: a member joined, left or died; each member's JOIN_GROUP is parked until every member
 *       has re-joined (members learn of the rebalance from their heartbeat answer) or the rebalance timeout passes
 *       (members that did not re-join are dropped). Then the generation goes up, the coordinator computes the
 *       assignment and answers every parked join with the member's part.</li>
 *   <li>STABLE: members heartbeat in the current generation.</li>
 * </ul>
 * A member whose heartbeats stop for its session timeout is removed (not while its join is parked). Commits are
 * accepted only from a member of the current generation. The group agrees on an assignment strategy: a member that
 * shares none with the others is refused (INCONSISTENT_GROUP_PROTOCOL); {@link AssignmentRound} computes each
 * generation's assignment, withholding partitions that another member still owns (cooperative protocol).
 * Thread-safe: every method is synchronized on the group.
 */
final class ConsumerGroup {
    private static final Logger log = LoggerFactory.getLogger(ConsumerGroup.class);

    enum State { EMPTY, PREPARING_REBALANCE, STABLE }

    private final String groupId;
    private final int offsetsPartition;
    private final Function<String, Integer> partitionCount;
    private final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();
    /** Static members: instance id -> current member id. */
    private final Map<String, String> staticMembers = new java.util.HashMap<>();
    private State state = State.EMPTY;
    private int generation;
    private String leaderId = "";
    private String assignorName = "range";
    private long rebalanceDeadlineNs;
    private long rebalances;

    /** {@code partitionCount} maps a topic to its partition count, or null when it does not exist. */
    ConsumerGroup(String groupId, int offsetsPartition, Function<String, Integer> partitionCount) {
        this.groupId = groupId;
        this.offsetsPartition = offsetsPartition;
        this.partitionCount = partitionCount;
    }

    String groupId() {
        return groupId;
    }

    int offsetsPartition() {
        return offsetsPartition;
    }

    synchronized State state() {
        return state;
    }

    synchronized int generation() {
        return generation;
    }

    synchronized int memberCount() {
        return members.size();
    }

    synchronized long rebalances() {
        return rebalances;
    }

    /** Parks {@code ctx} until the rebalance this join starts (or joins) completes. */
    synchronized void join(JoinGroupRequest request, String host, RequestContext ctx, long nowNs) {
        List<String> assignors = AssignmentRound.strategiesOf(request);
        if (request.topics == null || request.topics.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "a group member must subscribe to some topics");
        }
        if (request.sessionTimeoutMs <= 0 || request.rebalanceTimeoutMs <= 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "session and rebalance timeouts must be > 0");
        }
        checkProtocol(request, assignors);
        GroupMember member = takeOverStatic(request, host, nowNs);
        if (member != null) {
            if (state == State.STABLE && member.topics.equals(List.copyOf(request.topics))) {
                ctx.respond(joinResponse(member));
                return;
            }
        } else if (request.memberId == null || request.memberId.isEmpty()) {
            String clientId = request.clientId == null || request.clientId.isEmpty() ? "member" : request.clientId;
            member = new GroupMember(clientId + "-" + UUID.randomUUID(), clientId, host);
            members.put(member.memberId, member);
            log.info("Group {}: member {} joins ({} members)", groupId, member.memberId, members.size());
        } else {
            member = members.get(request.memberId);
            if (member == null) {
                throw new SluiceException(ErrorCode.UNKNOWN_MEMBER, "member " + request.memberId + " is not in group "
                        + groupId + " (its session expired or it left); join again as a new member");
            }
            if (member.pendingJoin != null && member.pendingJoin != ctx) {
                member.pendingJoin.fail(ErrorCode.REBALANCE_IN_PROGRESS, "superseded by a newer join of this member");
            }
        }
        if (request.groupInstanceId != null && !request.groupInstanceId.isEmpty()) {
            member.instanceId = request.groupInstanceId;
            staticMembers.put(member.instanceId, member.memberId);
        }
        member.topics = List.copyOf(request.topics);
        member.assignors = assignors;
        member.owned = AssignmentRound.fromWire(request.owned);
        member.ownedGeneration = request.ownedGeneration;
        member.sessionTimeoutMs = request.sessionTimeoutMs;
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
        member.lastHeartbeatNs = nowNs;
        member.pendingJoin = ctx;
        if (state != State.PREPARING_REBALANCE) {
            prepareRebalance(nowNs, "member " + member.memberId + " joined");
        }
        maybeCompleteRebalance(nowNs);
    }

    /**
     * INCONSISTENT_GROUP_PROTOCOL when the other members (not this member, nor the instance it replaces) share no
     * strategy with {@code assignors}; the member is then not added.
     */
    private void checkProtocol(JoinGroupRequest request, List<String> assignors) {
        List<GroupMember> others = new ArrayList<>();
        for (GroupMember m : members.values()) {
            boolean self = m.memberId.equals(request.memberId)
                    || m.instanceId != null && m.instanceId.equals(request.groupInstanceId);
            if (!self) {
                others.add(m);
            }
        }
        if (others.isEmpty()) {
            return;
        }
        List<String> common = AssignmentRound.commonStrategies(others);
        common.retainAll(assignors);
        if (common.isEmpty()) {
            throw new SluiceException(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, "group " + groupId + " uses "
                    + AssignmentRound.commonStrategies(others) + " (supported by all its " + others.size()
                    + " members) but this member supports only " + assignors + "; configure a common strategy");
        }
    }

    /**
     * A static member restarted (same instance id, no or another member id): it takes the old member's place under
     * a new member id (fencing the old one) and keeps its partitions; the caller answers at once, without a
     * rebalance, when the group is stable and the subscription unchanged. Returns the new member, or null.
     */
    private GroupMember takeOverStatic(JoinGroupRequest request, String host, long nowNs) {
        String instanceId = request.groupInstanceId;
        String oldId = instanceId == null || instanceId.isEmpty() ? null : staticMembers.get(instanceId);
        GroupMember old = oldId == null ? null : members.get(oldId);
        if (old == null || oldId.equals(request.memberId)) {
            return null;
        }
        members.remove(oldId);
        if (old.pendingJoin != null) {
            old.pendingJoin.fail(ErrorCode.UNKNOWN_MEMBER, "fenced by a newer instance " + instanceId);
        }
        String clientId = request.clientId == null || request.clientId.isEmpty() ? "member" : request.clientId;
        GroupMember member = new GroupMember(clientId + "-" + UUID.randomUUID(), clientId, host);
        member.instanceId = instanceId;
        member.topics = old.topics;
        member.assignors = old.assignors;
        member.assignment = old.assignment;
        member.sessionTimeoutMs = request.sessionTimeoutMs;
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
        member.lastHeartbeatNs = nowNs;
        members.put(member.memberId, member);
        staticMembers.put(instanceId, member.memberId);
        if (leaderId.equals(oldId)) {
            leaderId = member.memberId;
        }
        log.info("Group {}: static member {} is back as {}", groupId, instanceId, member.memberId);
        return member;
    }

    private void prepareRebalance(long nowNs, String reason) {
        state = State.PREPARING_REBALANCE;
        int timeoutMs = 0;
        for (GroupMember m : members.values()) {
            timeoutMs = Math.max(timeoutMs, m.rebalanceTimeoutMs);
        }
        rebalanceDeadlineNs = nowNs + timeoutMs * 1_000_000L;
        log.info("Group {}: rebalancing generation {} ({})", groupId, generation, reason);
    }

    private void maybeCompleteRebalance(long nowNs) {
        if (state != State.PREPARING_REBALANCE) {
            return;
        }
        for (GroupMember m : members.values()) {
            if (m.pendingJoin == null) {
                return;
            }
        }
        completeRebalance(nowNs);
    }

    private void completeRebalance(long nowNs) {
        generation++;
        rebalances++;
        if (members.isEmpty()) {
            state = State.EMPTY;
            leaderId = "";
            return;
        }
        assignorName = AssignmentRound.chooseStrategy(members.values());
        Map<String, List<TopicPart>> assignment = AssignmentRound.assign(groupId, members.values(), assignorName,
                partitionCount);
        leaderId = members.keySet().iterator().next();
        state = State.STABLE;
        for (GroupMember m : members.values()) {
            m.assignment = List.copyOf(assignment.getOrDefault(m.memberId, List.of()));
            m.lastHeartbeatNs = nowNs;
            RequestContext ctx = m.pendingJoin;
            m.pendingJoin = null;
            ctx.respond(joinResponse(m));
        }
        log.info("Group {}: generation {} with {} members", groupId, generation, members.size());
    }

    private JoinGroupResponse joinResponse(GroupMember m) {
        JoinGroupResponse r = new JoinGroupResponse();
        r.generation = generation;
        r.memberId = m.memberId;
        r.leaderId = leaderId;
        r.memberCount = members.size();
        r.assignment = toWire(m.assignment);
        r.assignor = assignorName;
        return r;
    }

    static List<GroupPartitions> toWire(List<TopicPart> parts) {
        Map<String, GroupPartitions> byTopic = new TreeMap<>();
        for (TopicPart tp : parts) {
            GroupPartitions g = byTopic.computeIfAbsent(tp.topic(), t -> {
                GroupPartitions x = new GroupPartitions();
                x.topic = t;
                x.partitions = new ArrayList<>();
                return x;
            });
            g.partitions.add(tp.partition());
        }
        return new ArrayList<>(byTopic.values());
    }

    /** Throws REBALANCE_IN_PROGRESS (after noting the heartbeat) when the member must re-join. */
    synchronized void heartbeat(String memberId, int memberGeneration, long nowNs) {
        GroupMember m = member(memberId);
        if (memberGeneration != generation) {
            throw new SluiceException(ErrorCode.ILLEGAL_GENERATION, "member " + memberId + " is in generation "
                    + memberGeneration + " but group " + groupId + " is in generation " + generation + "; re-join");
        }
        m.lastHeartbeatNs = nowNs;
        if (state == State.PREPARING_REBALANCE) {
            throw new SluiceException(ErrorCode.REBALANCE_IN_PROGRESS, "group " + groupId + " is rebalancing; re-join");
        }
    }

    private GroupMember member(String memberId) {
        GroupMember m = memberId == null ? null : members.get(memberId);
        if (m == null) {
            throw new SluiceException(ErrorCode.UNKNOWN_MEMBER, "member " + memberId + " is not in group " + groupId
                    + " (its session expired or it left); join again");
        }
        return m;
    }

    /** Checks that a commit may be written: a member of the current generation, or anyone while the group is empty. */
    synchronized void checkCommit(String memberId, int memberGeneration, long nowNs) {
        if ((memberId == null || memberId.isEmpty()) && memberGeneration < 0) {
            if (!members.isEmpty()) {
                throw new SluiceException(ErrorCode.GROUP_NOT_EMPTY, "group " + groupId + " has " + members.size()
                        + " active members; only they may commit its offsets");
            }
            return;
        }
        GroupMember m = member(memberId);
        if (memberGeneration != generation) {
            throw new SluiceException(ErrorCode.ILLEGAL_GENERATION, "commit from generation " + memberGeneration
                    + " refused: group " + groupId + " is in generation " + generation
                    + " (the partitions may have moved to another member)");
        }
        m.lastHeartbeatNs = nowNs;
    }

    /** Removes the member at once; the others rebalance. */
    synchronized void leave(String memberId, long nowNs) {
        GroupMember m = member(memberId);
        remove(m, nowNs, "member " + memberId + " left");
    }

    private void remove(GroupMember m, long nowNs, String reason) {
        members.remove(m.memberId);
        if (m.instanceId != null) {
            staticMembers.remove(m.instanceId, m.memberId);
        }
        if (m.pendingJoin != null) {
            m.pendingJoin.fail(ErrorCode.UNKNOWN_MEMBER, reason);
            m.pendingJoin = null;
        }
        log.info("Group {}: {} ({} members left)", groupId, reason, members.size());
        if (state == State.STABLE || members.isEmpty()) {
            prepareRebalance(nowNs, reason);
        }
        maybeCompleteRebalance(nowNs);
    }

    /** Expires members whose session timed out and ends a rebalance whose timeout passed. */
    synchronized void onTimeEvent(long nowNs) {
        for (GroupMember m : new ArrayList<>(members.values())) {
            if (m.expired(nowNs)) {
                remove(m, nowNs, "session of member " + m.memberId + " expired");
            }
        }
        if (state == State.PREPARING_REBALANCE && nowNs - rebalanceDeadlineNs > 0) {
            for (GroupMember m : new ArrayList<>(members.values())) {
                if (m.pendingJoin == null) {
                    members.remove(m.memberId);
                    log.info("Group {}: member {} did not re-join within the rebalance timeout", groupId, m.memberId);
                }
            }
            completeRebalance(nowNs);
        }
    }

    /** Fails every parked join (this broker stopped coordinating the group). */
    synchronized void unload() {
        for (GroupMember m : members.values()) {
            if (m.pendingJoin != null) {
                m.pendingJoin.fail(ErrorCode.NOT_COORDINATOR, "this broker no longer coordinates group " + groupId);
                m.pendingJoin = null;
            }
        }
        members.clear();
        state = State.EMPTY;
    }

    /** The group as DESCRIBE_GROUP shows it. */
    synchronized DescribeGroupResponse describe() {
        DescribeGroupResponse r = new DescribeGroupResponse();
        r.groupId = groupId;
        r.state = state.name();
        r.generation = generation;
        r.assignor = assignorName;
        r.members = new ArrayList<>();
        for (GroupMember m : members.values()) {
            GroupMemberDescription d = new GroupMemberDescription();
            d.memberId = m.memberId;
            d.clientId = m.clientId;
            d.host = m.host;
            d.assignment = toWire(m.assignment);
            r.members.add(d);
        }
        return r;
    }

    synchronized GroupSummary summary() {
        GroupSummary s = new GroupSummary();
        s.groupId = groupId;
        s.state = state.name();
        s.memberCount = members.size();
        s.generation = generation;
        return s;
    }

    synchronized String assignorName() {
        return assignorName;
    }
}
