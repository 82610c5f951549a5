package io.sluice.client.internals;

import io.sluice.client.ConsumerConfig;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.GroupHeartbeatRequest;
import io.sluice.remoting.protocol.GroupPartitions;
import io.sluice.remoting.protocol.JoinGroupRequest;
import io.sluice.remoting.protocol.JoinGroupResponse;
import io.sluice.remoting.protocol.LeaveGroupRequest;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * This consumer's membership in its group: member id, generation, and a heartbeat thread that keeps the session
 * alive, notices rebalances (then {@link #rejoinNeeded()} turns true and the poll thread re-joins) and leaves the
 * group when {@code poll} has not been called for {@code max.poll.interval.ms}. Joining runs on the poll thread
 * ({@link #join}); the heartbeat thread pauses meanwhile. Thread-safe.
 */
final class GroupMembership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMembership.class);
    private static final long LEAVE_TIMEOUT_MS = 1_000;
    /** The strategies that support the cooperative protocol. */
    static final Set<String> COOPERATIVE_STRATEGIES = Set.of("cooperative-sticky");

    private final GroupCoordinatorClient coordinator;
    private final String clientId;
    private final int sessionTimeoutMs;
    private final int heartbeatIntervalMs;
    private final int maxPollIntervalMs;
    private final long requestTimeoutMs;
    private final List<String> assignors;
    private final boolean cooperative;
    private final String instanceId;
    private final Runnable wakeup;
    private final Thread heartbeats;
    private volatile String memberId = "";
    private volatile int generation = -1;
    private volatile boolean rejoinNeeded = true;
    private volatile boolean joining;
    private volatile long lastPollNs = System.nanoTime();
    private volatile boolean closed;
    /** Counts leaves, so a join running on the joiner thread gives up when the member leaves meanwhile. */
    private volatile int leaves;
    /** Counts joins, so a heartbeat answer that predates the latest join is ignored. */
    private volatile int joins;
    /** Runs cooperative joins off the poll thread; created on first use. */
    private ExecutorService joiner;

    GroupMembership(GroupCoordinatorClient coordinator, ConsumerConfig config, String clientId, Runnable wakeup) {
        this.coordinator = coordinator;
        this.clientId = clientId;
        this.sessionTimeoutMs = config.sessionTimeoutMs();
        this.heartbeatIntervalMs = config.heartbeatIntervalMs();
        this.maxPollIntervalMs = config.maxPollIntervalMs();
        this.requestTimeoutMs = config.requestTimeoutMs();
        this.assignors = strategies(config.partitionAssignmentStrategy());
        this.cooperative = assignors.stream().allMatch(COOPERATIVE_STRATEGIES::contains);
        this.instanceId = config.groupInstanceId();
        this.wakeup = wakeup;
        this.heartbeats = new Thread(this::heartbeatLoop, clientId + "-heartbeat");
        this.heartbeats.setDaemon(true);
        this.heartbeats.start();
    }

    String memberId() {
        return memberId;
    }

    int generation() {
        return generation;
    }

    boolean rejoinNeeded() {
        return rejoinNeeded;
    }

    /** The application polled: the max poll interval starts again. */
    void onPoll(long nowNs) {
        lastPollNs = nowNs;
    }

    /** Asks for a re-join at the next poll (e.g. the subscription changed). */
    void requestRejoin() {
        rejoinNeeded = true;
    }

    /** The strategies of a {@code partition.assignment.strategy} value (comma-separated, most preferred first). */
    static List<String> strategies(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return List.copyOf(out);
    }

    /**
     * True when every configured strategy supports the cooperative protocol: the member then keeps its partitions
     * while it re-joins and revokes only those it loses; otherwise it revokes everything first (eager).
     */
    boolean cooperative() {
        return cooperative;
    }

    /**
     * Joins (or re-joins) the group and returns this member's assignment; blocks until the rebalance completes.
     * {@code owned} are the partitions this member keeps consuming meanwhile (cooperative), got in generation
     * {@code ownedGeneration}.
     */
    List<TopicPartition> join(List<String> topics, Collection<TopicPartition> owned, int ownedGeneration,
                              long deadlineNs) {
        joining = true;
        joins++;
        int leavesAtStart = leaves;
        // cleared before sending, so a re-join requested while this join runs (e.g. the subscription changed) is
        // kept for the next one
        rejoinNeeded = false;
        boolean joined = false;
        try {
            while (true) {
                if (closed || leaves != leavesAtStart) {
                    throw new SluiceException(ErrorCode.CLIENT_CLOSED, "join of group " + coordinator.groupId()
                            + " abandoned: the member left or closed");
                }
                JoinGroupRequest request = new JoinGroupRequest();
                request.groupId = coordinator.groupId();
                request.memberId = memberId;
                request.clientId = clientId;
                request.topics = new ArrayList<>(topics);
                request.sessionTimeoutMs = sessionTimeoutMs;
                request.rebalanceTimeoutMs = maxPollIntervalMs;
                request.assignor = assignors.get(0);
                request.assignors = new ArrayList<>(assignors);
                request.owned = toWire(owned);
                request.ownedGeneration = ownedGeneration;
                request.groupInstanceId = instanceId;
                JoinGroupResponse response;
                try {
                    response = coordinator.call(ApiKey.JOIN_GROUP, request, maxPollIntervalMs + requestTimeoutMs,
                            deadlineNs);
                } catch (SluiceException e) {
                    if (e.code() == ErrorCode.UNKNOWN_MEMBER) {
                        memberId = "";
                        continue;
                    }
                    if (e.code() == ErrorCode.REBALANCE_IN_PROGRESS && deadlineNs - System.nanoTime() > 0) {
                        continue;
                    }
                    throw e;
                }
                memberId = response.memberId;
                generation = response.generation;
                joined = true;
                lastPollNs = System.nanoTime();
                List<TopicPartition> assigned = new ArrayList<>();
                if (response.assignment != null) {
                    for (GroupPartitions g : response.assignment) {
                        for (Integer p : g.partitions) {
                            assigned.add(new TopicPartition(g.topic, p));
                        }
                    }
                }
                LOG.info("{} joined group {} as {} in generation {}: {}", clientId, coordinator.groupId(), memberId,
                        generation, assigned);
                return assigned;
            }
        } finally {
            if (!joined) {
                rejoinNeeded = true;
            }
            joining = false;
        }
    }

    /**
     * Runs {@link #join} on a joiner thread, so the poll thread keeps fetching the owned partitions while the
     * rebalance runs; {@code wakeup} runs when it finishes.
     */
    synchronized CompletableFuture<List<TopicPartition>> joinAsync(List<String> topics,
                                                                   Collection<TopicPartition> owned,
                                                                   int ownedGeneration, long deadlineNs) {
        if (joiner == null) {
            joiner = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, clientId + "-group-join");
                t.setDaemon(true);
                return t;
            });
        }
        List<String> topicsCopy = List.copyOf(topics);
        List<TopicPartition> ownedCopy = List.copyOf(owned);
        CompletableFuture<List<TopicPartition>> result = CompletableFuture.supplyAsync(
                () -> join(topicsCopy, ownedCopy, ownedGeneration, deadlineNs), joiner);
        result.whenComplete((r, e) -> wakeup.run());
        return result;
    }

    private static List<GroupPartitions> toWire(Collection<TopicPartition> partitions) {
        Map<String, GroupPartitions> byTopic = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic(), t -> {
                GroupPartitions g = new GroupPartitions();
                g.topic = t;
                g.partitions = new ArrayList<>();
                return g;
            }).partitions.add(tp.partition());
        }
        return new ArrayList<>(byTopic.values());
    }

    private void heartbeatLoop() {
        while (!closed) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs));
            if (closed || joining || rejoinNeeded || memberId.isEmpty() || generation < 0) {
                continue;
            }
            if (System.nanoTime() - lastPollNs > TimeUnit.MILLISECONDS.toNanos(maxPollIntervalMs)) {
                LOG.warn("{}: poll was not called for max.poll.interval.ms ({} ms): leaving group {} so its partitions"
                        + " move on; the next poll re-joins", clientId, maxPollIntervalMs, coordinator.groupId());
                leave();
                continue;
            }
            heartbeat();
        }
    }

    private void heartbeat() {
        String sentMember = memberId;
        int sentGeneration = generation;
        int sentJoins = joins;
        GroupHeartbeatRequest request = new GroupHeartbeatRequest();
        request.groupId = coordinator.groupId();
        request.memberId = sentMember;
        request.generation = sentGeneration;
        CompletableFuture<Response> future = coordinator.send(ApiKey.GROUP_HEARTBEAT, request,
                heartbeatIntervalMs * 2L);
        try (Response ignored = future.get(heartbeatIntervalMs * 3L, TimeUnit.MILLISECONDS)) {
            return;
        } catch (InterruptedException e) {
            return;
        } catch (TimeoutException e) {
            future.thenAccept(Response::close);
            coordinator.coordinatorLost();
        } catch (Exception e) {
            SluiceException error = SluiceException.from(e instanceof java.util.concurrent.ExecutionException
                    ? e.getCause() : e);
            if (!sentMember.equals(memberId) || sentGeneration != generation || sentJoins != joins) {
                return;
            }
            switch (error.code()) {
                case REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION -> {
                    rejoinNeeded = true;
                    wakeup.run();
                }
                case UNKNOWN_MEMBER, NOT_COORDINATOR -> {
                    memberId = "";
                    rejoinNeeded = true;
                    wakeup.run();
                }
                default -> {
                    LOG.debug("{}: heartbeat to group {} failed: {}", clientId, coordinator.groupId(),
                            error.toString());
                    if (GroupCoordinatorClient.isCoordinatorError(error.code())) {
                        // the coordinator's broker may have died: find the new one, which answers the next
                        // heartbeat with UNKNOWN_MEMBER so that this member joins it
                        coordinator.coordinatorLost();
                    }
                }
            }
        }
    }

    /** Leaves the group at once (best effort, bounded wait); the next join starts as a new member. */
    void leave() {
        leaves++;
        String leaving = memberId;
        memberId = "";
        generation = -1;
        rejoinNeeded = true;
        if (leaving.isEmpty()) {
            return;
        }
        LeaveGroupRequest request = new LeaveGroupRequest();
        request.groupId = coordinator.groupId();
        request.memberId = leaving;
        CompletableFuture<Response> future = coordinator.send(ApiKey.LEAVE_GROUP, request, LEAVE_TIMEOUT_MS);
        future.whenComplete((r, e) -> {
            if (r != null) {
                r.close();
            }
        });
        try {
            future.get(LEAVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            LOG.info("{} left group {}", clientId, coordinator.groupId());
        } catch (Exception e) {
            LOG.debug("{}: leaving group {} failed (its session will time out): {}", clientId, coordinator.groupId(),
                    e.toString());
        }
    }

    /** Static members stay in the group when the consumer closes (their session keeps their place). */
    boolean isStatic() {
        return instanceId != null;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(heartbeats);
        synchronized (this) {
            if (joiner != null) {
                joiner.shutdownNow();
            }
        }
    }
}
