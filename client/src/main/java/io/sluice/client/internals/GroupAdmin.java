package io.sluice.client.internals;

import io.sluice.client.GroupDescription;
import io.sluice.client.GroupListing;
import io.sluice.client.GroupMemberInfo;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.TopicNames;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.DescribeGroupRequest;
import io.sluice.remoting.protocol.DescribeGroupResponse;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.protocol.GroupMemberDescription;
import io.sluice.remoting.protocol.GroupPartitions;
import io.sluice.remoting.protocol.GroupSummary;
import io.sluice.remoting.protocol.ListGroupsResponse;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The consumer-group part of {@code Admin}: lists groups (asking every broker, each for the groups it coordinates),
 * describes one at its coordinator, reads and resets its committed offsets. Resetting writes offsets without a
 * member id, which the coordinator accepts only while the group has no members (else GROUP_NOT_EMPTY).
 * Thread-safe.
 */
final class GroupAdmin {
    private final RemotingClient client;
    private final NameserverClient nameservers;
    private final RouteCache routes;
    private final long timeoutMs;
    private final Backoff backoff;

    GroupAdmin(RemotingClient client, NameserverClient nameservers, long timeoutMs, Backoff backoff) {
        this.client = client;
        this.nameservers = nameservers;
        this.timeoutMs = timeoutMs;
        this.backoff = backoff;
        this.routes = new RouteCache(nameservers, timeoutMs, backoff, 300_000);
    }

    private GroupCoordinatorClient coordinatorOf(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "a group id is needed");
        }
        return new GroupCoordinatorClient(client, nameservers, routes, groupId, timeoutMs, backoff);
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    List<GroupListing> listGroups() {
        long deadlineNs = deadline();
        try {
            routes.awaitTopic(TopicNames.OFFSETS_TOPIC, deadlineNs, false);
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.UNKNOWN_TOPIC) {
                return List.of();
            }
            throw e;
        }
        Map<String, GroupListing> out = new TreeMap<>();
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (InetSocketAddress broker : routes.routes().brokers().values()) {
            answers.add(client.connection(broker).thenCompose(c -> c.request(ApiKey.LIST_GROUPS, new Empty(), null,
                    timeoutMs)));
        }
        SluiceException failure = null;
        for (CompletableFuture<Response> answer : answers) {
            try (Response response = answer.get(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                ListGroupsResponse r = response.message();
                for (GroupSummary s : r.groups == null ? List.<GroupSummary>of() : r.groups) {
                    out.merge(s.groupId, new GroupListing(s.groupId, s.state, s.memberCount),
                            (a, b) -> a.members() >= b.members() ? a : b);
                }
            } catch (Exception e) {
                failure = SluiceException.from(e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e);
            }
        }
        if (out.isEmpty() && failure != null) {
            throw new SluiceException(failure.code(), "listing groups failed: " + failure.getMessage(), failure);
        }
        return new ArrayList<>(out.values());
    }

    GroupDescription describeGroup(String groupId) {
        GroupCoordinatorClient coordinator = coordinatorOf(groupId);
        long deadlineNs = deadline();
        DescribeGroupRequest request = new DescribeGroupRequest();
        request.groupId = groupId;
        DescribeGroupResponse r = coordinator.call(ApiKey.DESCRIBE_GROUP, request, timeoutMs, deadlineNs);
        List<GroupMemberInfo> members = new ArrayList<>();
        for (GroupMemberDescription m : r.members == null ? List.<GroupMemberDescription>of() : r.members) {
            List<TopicPartition> assignment = new ArrayList<>();
            for (GroupPartitions g : m.assignment == null ? List.<GroupPartitions>of() : m.assignment) {
                for (Integer p : g.partitions) {
                    assignment.add(new TopicPartition(g.topic, p));
                }
            }
            members.add(new GroupMemberInfo(m.memberId, m.clientId, m.host, assignment));
        }
        InetSocketAddress at = coordinator.knownCoordinator();
        return new GroupDescription(groupId, r.state, r.generation, r.assignor, members,
                at == null ? "?" : at.getHostString() + ":" + at.getPort());
    }

    Map<TopicPartition, Long> listGroupOffsets(String groupId) {
        OffsetCommitter committer = new OffsetCommitter(coordinatorOf(groupId), null, timeoutMs);
        Map<TopicPartition, Long> sorted = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        sorted.putAll(committer.committedAll(deadline()));
        return sorted;
    }

    void alterGroupOffsets(String groupId, Map<TopicPartition, Long> offsets) {
        new OffsetCommitter(coordinatorOf(groupId), null, timeoutMs).commitSync(offsets, deadline());
    }

    void close() {
        routes.close();
    }
}
