package io.sluice.broker.group;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.sluice.broker.partition.HighWatermarkWait;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.TopicNames;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.CommittedOffset;
import io.sluice.remoting.protocol.DescribeGroupRequest;
import io.sluice.remoting.protocol.DescribeGroupResponse;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.protocol.GroupHeartbeatRequest;
import io.sluice.remoting.protocol.GroupSummary;
import io.sluice.remoting.protocol.JoinGroupRequest;
import io.sluice.remoting.protocol.LeaveGroupRequest;
import io.sluice.remoting.protocol.ListGroupsResponse;
import io.sluice.remoting.protocol.OffsetCommitRequest;
import io.sluice.remoting.protocol.OffsetFetchRequest;
import io.sluice.remoting.protocol.OffsetFetchResponse;
import io.sluice.remoting.transport.RemotingServer;
import io.sluice.remoting.transport.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The group coordinator of one broker. The coordinator of a group is the leader of partition
 * {@code floorMod(groupId.hashCode(), N)} of the internal topic {@value TopicNames#OFFSETS_TOPIC} (N partitions);
 * clients find it from the nameserver's routes of that topic (no separate look-up request). It serves JOIN_GROUP,
 * GROUP_HEARTBEAT, LEAVE_GROUP, OFFSET_COMMIT, OFFSET_FETCH and DESCRIBE_GROUP for the groups that map to partitions it leads, and
 * answers NOT_COORDINATOR for others; LIST_GROUPS lists the groups this broker coordinates. The assignment is computed here (range or round-robin).
 *
 * <p>Committed offsets are appended to the group's offsets partition and cached per partition and leader epoch
 * ({@link OffsetCache}); the cache is rebuilt from the log the first time a request needs it after this broker
 * became that partition's leader, so offsets survive a coordinator moving. A membership does not survive a move:
 * members get UNKNOWN_MEMBER or NOT_COORDINATOR and join the new coordinator.
 *
 * <p>Thread-safe: handlers run on I/O threads, each group is locked on its own; a single timer thread expires
 * sessions and ends rebalances every {@value #TICK_MS} ms.
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    /** Committed offsets of a group without members expire after this long (Kafka's offsets.retention.ms). */
    public static final long OFFSETS_RETENTION_MS_DEFAULT = TimeUnit.DAYS.toMillis(7);
    /** How often expired offsets are looked for (Kafka's offsets.retention.check.interval.ms). */
    public static final long OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT = TimeUnit.MINUTES.toMillis(10);
    static final long TICK_MS = 100;
    private static final long LAG_REFRESH_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long REWRITE_CHECK_NS = TimeUnit.MINUTES.toNanos(1);
    /** How long a commit waits for the in-sync replicas before it fails (Kafka's offsets.commit.timeout.ms). */
    static final long COMMIT_REPLICATION_TIMEOUT_MS = 5_000;
    private static final int MAX_GROUP_ID_LENGTH = 255;

    private final int brokerId;
    private final PartitionManager partitions;
    private final Function<String, Integer> partitionCount;
    private final ConcurrentHashMap<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, OffsetCache> caches = new ConcurrentHashMap<>();
    private final GroupMetrics metrics;
    private OffsetExpirer expirer = new OffsetExpirer(OFFSETS_RETENTION_MS_DEFAULT,
            OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT);
    private ScheduledExecutorService timer;
    private long lastLagRefreshNs;
    private long lastRewriteNs = System.nanoTime();

    /** {@code partitionCount} maps a topic to its partition count (null if it does not exist). */
    public GroupCoordinator(int brokerId, PartitionManager partitions, Function<String, Integer> partitionCount) {
        this(brokerId, partitions, partitionCount, null);
    }

    /** Like the other constructor, registering the coordinator's meters in {@code registry} (may be null). */
    public GroupCoordinator(int brokerId, PartitionManager partitions, Function<String, Integer> partitionCount,
                            MeterRegistry registry) {
        this.brokerId = brokerId;
        this.partitions = partitions;
        this.partitionCount = partitionCount;
        this.metrics = new GroupMetrics(registry, groups);
    }

    /** The offsets partition (and so the coordinator) of {@code groupId} when the offsets topic has {@code n}. */
    public static int partitionFor(String groupId, int n) {
        return Math.floorMod(groupId.hashCode(), n);
    }

    /**
     * Offsets of a group without members expire {@code retentionMs} after both their commit and the group's last
     * member (see {@link OffsetExpirer}), checked every {@code checkIntervalMs}. Call before {@link #start()}.
     */
    public GroupCoordinator offsetsRetention(long retentionMs, long checkIntervalMs) {
        this.expirer = new OffsetExpirer(retentionMs, checkIntervalMs);
        return this;
    }

    /** Registers the group request handlers on {@code server}. */
    public GroupCoordinator registerHandlers(RemotingServer server) {
        server.handle(ApiKey.JOIN_GROUP, this::onJoin)
                .handle(ApiKey.GROUP_HEARTBEAT, this::onHeartbeat)
                .handle(ApiKey.LEAVE_GROUP, this::onLeave)
                .handle(ApiKey.OFFSET_COMMIT, this::onCommit)
                .handle(ApiKey.OFFSET_FETCH, this::onFetch)
                .handle(ApiKey.LIST_GROUPS, this::onList)
                .handle(ApiKey.DESCRIBE_GROUP, this::onDescribe);
        return this;
    }

    public GroupCoordinator start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-" + brokerId + "-group-coordinator");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (ConsumerGroup group : groups.values()) {
                if (!stillCoordinating(group.offsetsPartition())) {
                    groups.remove(group.groupId(), group);
                    group.unload();
                    continue;
                }
                group.onTimeEvent(now);
            }
            expirer.maybeExpire(System.currentTimeMillis(), caches.values().stream()
                    .filter(c -> stillCoordinating(c.partition().id())).toList(), this::group);
            if (now - lastLagRefreshNs >= LAG_REFRESH_NS) {
                lastLagRefreshNs = now;
                metrics.refreshLag(lag());
            }
            if (now - lastRewriteNs >= REWRITE_CHECK_NS) {
                lastRewriteNs = now;
                rewriteAgingOffsets(System.currentTimeMillis());
            }
        } catch (RuntimeException e) {
            log.warn("Group coordinator tick failed", e);
        }
    }

    /**
     * Writes again the offsets whose record is half the offsets topic's retention old, so that retention, which
     * deletes old segments of that uncompacted topic, never takes the only record of a live offset.
     */
    private void rewriteAgingOffsets(long nowMs) {
        for (OffsetCache cache : caches.values()) {
            long retentionMs = cache.partition().log().config().retentionMs();
            if (retentionMs <= 0 || !stillCoordinating(cache.partition().id())) {
                continue;
            }
            try {
                int n = cache.rewriteOlderThan(nowMs - retentionMs / 2, nowMs);
                if (n > 0) {
                    log.info("Wrote {} committed offsets of {} again before retention reaches their records", n,
                            cache.partition());
                }
            } catch (SluiceException e) {
                log.warn("Could not write aging committed offsets of {} again (next try in {} s): {}",
                        cache.partition(), TimeUnit.NANOSECONDS.toSeconds(REWRITE_CHECK_NS), e.getMessage());
            }
        }
    }

    /** The lag of every group coordinated here on every partition it committed that this broker holds. */
    private List<GroupMetrics.Lag> lag() {
        List<GroupMetrics.Lag> rows = new ArrayList<>();
        for (OffsetCache cache : caches.values()) {
            if (!stillCoordinating(cache.partition().id())) {
                continue;
            }
            for (String groupId : cache.groups()) {
                cache.offsets(groupId).forEach((tp, committed) -> {
                    Partition[] parts = partitions.partitions(tp.topic());
                    if (parts != null && tp.partition() < parts.length && parts[tp.partition()] != null) {
                        long end = parts[tp.partition()].log().highWatermark();
                        rows.add(new GroupMetrics.Lag(groupId, tp, Math.max(0, end - committed[0])));
                    }
                });
            }
        }
        return rows;
    }

    private boolean stillCoordinating(int offsetsPartition) {
        Partition[] parts = partitions.partitions(TopicNames.OFFSETS_TOPIC);
        OffsetCache cache = caches.get(offsetsPartition);
        if (parts == null || offsetsPartition >= parts.length || cache == null) {
            return false;
        }
        Partition p = parts[offsetsPartition];
        return p != null && p.isLeader() && p == cache.partition() && p.leaderEpoch() == cache.leaderEpoch();
    }

    /** The offset cache of the partition coordinating {@code groupId}, loading it if this broker just took over. */
    private OffsetCache coordinatorCache(String groupId) {
        if (groupId == null || groupId.isEmpty() || groupId.length() > MAX_GROUP_ID_LENGTH) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "group id must have 1 to " + MAX_GROUP_ID_LENGTH
                    + " characters");
        }
        Partition[] parts = partitions.partitions(TopicNames.OFFSETS_TOPIC);
        if (parts == null || parts.length == 0) {
            throw new SluiceException(ErrorCode.NOT_COORDINATOR, "broker " + brokerId + " hosts no partition of "
                    + TopicNames.OFFSETS_TOPIC + "; refresh routes");
        }
        int index = partitionFor(groupId, parts.length);
        Partition p = parts[index];
        if (p == null || !p.isLeader()) {
            throw new SluiceException(ErrorCode.NOT_COORDINATOR, "broker " + brokerId + " does not lead "
                    + TopicNames.OFFSETS_TOPIC + "-" + index + " and so does not coordinate group " + groupId
                    + "; refresh routes");
        }
        OffsetCache cache = caches.get(index);
        if (cache != null && cache.partition() == p && cache.leaderEpoch() == p.leaderEpoch()) {
            return cache;
        }
        synchronized (caches) {
            cache = caches.get(index);
            if (cache == null || cache.partition() != p || cache.leaderEpoch() != p.leaderEpoch()) {
                for (ConsumerGroup g : groups.values()) {
                    if (g.offsetsPartition() == index) {
                        groups.remove(g.groupId(), g);
                        g.unload();
                    }
                }
                if (!OffsetCache.readyToLoad(p)) {
                    throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "broker " + brokerId
                            + " just took over " + p + " (epoch " + p.leaderEpoch() + ") and is loading the offsets"
                            + " of group " + groupId + ": its high watermark has not yet reached the epoch's start;"
                            + " retry shortly");
                }
                long start = System.nanoTime();
                cache = OffsetCache.load(p);
                caches.put(index, cache);
                log.info("Coordinating the groups of {} (epoch {}): offsets of {} groups loaded in {} ms", p,
                        p.leaderEpoch(), cache.groups().size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            return cache;
        }
    }

    private ConsumerGroup group(String groupId, OffsetCache cache) {
        return groups.computeIfAbsent(groupId, id -> new ConsumerGroup(id, cache.partition().id(), partitionCount));
    }

    private void onJoin(RequestContext ctx, Object message, ByteBuf payload) {
        JoinGroupRequest r = (JoinGroupRequest) message;
        OffsetCache cache = coordinatorCache(r.groupId);
        String host = ctx.remoteAddress() instanceof InetSocketAddress a ? a.getHostString() : "?";
        group(r.groupId, cache).join(r, host, ctx, System.nanoTime());
    }

    private void onHeartbeat(RequestContext ctx, Object message, ByteBuf payload) {
        GroupHeartbeatRequest r = (GroupHeartbeatRequest) message;
        coordinatorCache(r.groupId);
        existing(r.groupId, r.memberId).heartbeat(r.memberId, r.generation, System.nanoTime());
        ctx.respond(new Empty());
    }

    private ConsumerGroup existing(String groupId, String memberId) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            throw new SluiceException(ErrorCode.UNKNOWN_MEMBER, "member " + memberId + " is not in group " + groupId
                    + " on broker " + brokerId + "; join again");
        }
        return group;
    }

    private void onLeave(RequestContext ctx, Object message, ByteBuf payload) {
        LeaveGroupRequest r = (LeaveGroupRequest) message;
        coordinatorCache(r.groupId);
        existing(r.groupId, r.memberId).leave(r.memberId, System.nanoTime());
        ctx.respond(new Empty());
    }

    private void onCommit(RequestContext ctx, Object message, ByteBuf payload) {
        OffsetCommitRequest r = (OffsetCommitRequest) message;
        OffsetCache cache = coordinatorCache(r.groupId);
        Map<TopicPart, Long> offsets = new LinkedHashMap<>();
        if (r.offsets != null) {
            for (CommittedOffset o : r.offsets) {
                if (o.topic == null || o.topic.isEmpty() || o.partition < 0 || o.offset < 0) {
                    throw new SluiceException(ErrorCode.INVALID_REQUEST, "bad committed offset " + o.topic + "-"
                            + o.partition + "@" + o.offset + " (topic, partition >= 0 and offset >= 0 needed)");
                }
                offsets.put(new TopicPart(o.topic, o.partition), o.offset);
            }
        }
        ConsumerGroup group = group(r.groupId, cache);
        long start = System.nanoTime();
        if (offsets.isEmpty()) {
            synchronized (group) {
                group.checkCommit(r.memberId, r.generation, start);
            }
            ctx.respond(new Empty());
            return;
        }
        long nowMs = System.currentTimeMillis();
        int epoch = cache.leaderEpoch();
        long lastLogOffset;
        synchronized (group) {
            group.checkCommit(r.memberId, r.generation, start);
            lastLogOffset = cache.append(r.groupId, offsets, nowMs);
        }
        Partition p = cache.partition();
        HighWatermarkWait.await(p, lastLogOffset, epoch, ctx.executor(), COMMIT_REPLICATION_TIMEOUT_MS, outcome -> {
            cache.commitDone(r.groupId);
            switch (outcome) {
                case REPLICATED -> {
                    cache.applyReplicated(r.groupId, offsets, nowMs, lastLogOffset);
                    metrics.onCommit(System.nanoTime() - start);
                    ctx.respond(new Empty());
                }
                // not durable enough to acknowledge; the member retries
                case UNDER_REPLICATED -> ctx.fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, "the commit of group "
                        + r.groupId + " reached only " + p.isr() + " of " + p + ", fewer than min.insync.replicas="
                        + p.minInsyncReplicas() + "; retry");
                case DEPOSED -> ctx.fail(ErrorCode.NOT_COORDINATOR, "broker " + brokerId + " stopped leading " + p
                        + " before the commit of group " + r.groupId + " reached the in-sync replicas; find the"
                        + " coordinator again and retry");
                case TIMED_OUT -> ctx.fail(ErrorCode.REQUEST_TIMED_OUT, "the commit of group " + r.groupId
                        + " did not reach every in-sync replica " + p.isr() + " of " + p + " within "
                        + COMMIT_REPLICATION_TIMEOUT_MS + " ms");
            }
        });
    }

    private void onFetch(RequestContext ctx, Object message, ByteBuf payload) {
        OffsetFetchRequest r = (OffsetFetchRequest) message;
        OffsetCache cache = coordinatorCache(r.groupId);
        Set<String> topics = r.topics == null ? Set.of() : new HashSet<>(r.topics);
        OffsetFetchResponse response = new OffsetFetchResponse();
        response.offsets = new ArrayList<>();
        cache.offsets(r.groupId).forEach((tp, v) -> {
            if (topics.isEmpty() || topics.contains(tp.topic())) {
                CommittedOffset o = new CommittedOffset();
                o.topic = tp.topic();
                o.partition = tp.partition();
                o.offset = v[0];
                o.commitTimeMs = v[1];
                response.offsets.add(o);
            }
        });
        ctx.respond(response);
    }

    private void onList(RequestContext ctx, Object message, ByteBuf payload) {
        Map<String, GroupSummary> found = new TreeMap<>();
        for (OffsetCache cache : caches.values()) {
            if (!stillCoordinating(cache.partition().id())) {
                continue;
            }
            for (String groupId : cache.groups()) {
                GroupSummary s = new GroupSummary();
                s.groupId = groupId;
                s.state = ConsumerGroup.State.EMPTY.name();
                found.put(groupId, s);
            }
        }
        for (ConsumerGroup group : groups.values()) {
            if (stillCoordinating(group.offsetsPartition())) {
                found.put(group.groupId(), group.summary());
            }
        }
        ListGroupsResponse response = new ListGroupsResponse();
        response.groups = new ArrayList<>(found.values());
        ctx.respond(response);
    }

    private void onDescribe(RequestContext ctx, Object message, ByteBuf payload) {
        DescribeGroupRequest r = (DescribeGroupRequest) message;
        coordinatorCache(r.groupId);
        ConsumerGroup group = groups.get(r.groupId);
        if (group != null) {
            ctx.respond(group.describe());
            return;
        }
        DescribeGroupResponse response = new DescribeGroupResponse();
        response.groupId = r.groupId;
        response.state = ConsumerGroup.State.EMPTY.name();
        response.assignor = "";
        response.members = new ArrayList<>();
        ctx.respond(response);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        for (ConsumerGroup g : groups.values()) {
            g.unload();
        }
        groups.clear();
        caches.clear();
    }
}
