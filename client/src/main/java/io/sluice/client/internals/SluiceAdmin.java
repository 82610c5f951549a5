package io.sluice.client.internals;

import io.sluice.client.Admin;
import io.sluice.client.GroupDescription;
import io.sluice.client.GroupListing;
import io.sluice.client.TopicPartition;
import io.sluice.client.AdminConfig;
import io.sluice.client.ClusterDescription;
import io.sluice.client.PartitionInfo;
import io.sluice.client.NewTopic;
import io.sluice.client.TopicChange;
import io.sluice.client.TopicDescription;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.DescribeClusterResponse;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.RegistryState;
import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.DeleteTopicRequest;
import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.TopicRoute;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The {@link Admin} implementation: topic changes and routes through the nameservers, log offsets from partition
 * leaders (PARTITION_STATES). Reads are retried on retriable errors until the call's deadline; creates and deletes
 * are retried as {@link TopicChanges} describes (a lost answer is resolved by asking again and checking what is
 * there, never applied twice unknowingly).
 * Thread-safe.
 */
public final class SluiceAdmin implements Admin {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceAdmin.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final long timeoutMs;
    private final Backoff backoff;
    private final RemotingClient client;
    private final NameserverClient nameservers;
    private final TopicDescriber describer;
    private final TopicChanges changes;
    private final GroupAdmin groups;
    private final AtomicBoolean closed = new AtomicBoolean();

    public SluiceAdmin(AdminConfig config) {
        config.conclude();
        String clientId = config.clientId() != null ? config.clientId() : "admin-" + IDS.incrementAndGet();
        this.timeoutMs = config.requestTimeoutMs();
        this.backoff = new Backoff(config.retryBackoffMs(), Math.max(config.retryBackoffMs(), 1_000));
        this.client = new RemotingClient(clientId, config.transport(), config.meterRegistry());
        try {
            this.nameservers = new NameserverClient(client,
                    ConfigSupport.parseAddresses(AdminConfig.NAMESERVERS, config.nameservers()));
            this.describer = new TopicDescriber(client, backoff, (topic, deadlineNs) -> routes(List.of(topic), deadlineNs));
            this.changes = new TopicChanges(nameservers, backoff, this::routes, timeoutMs);
            this.groups = new GroupAdmin(client, nameservers, timeoutMs, backoff);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public TopicChange createTopic(NewTopic topic) {
        Objects.requireNonNull(topic, "topic");
        CreateTopicRequest request = new CreateTopicRequest();
        request.topic = topic.name();
        // 0 on the wire: the nameserver's default
        request.partitions = topic.partitions() == NewTopic.DEFAULT ? 0 : topic.partitions();
        request.replicationFactor = topic.replicationFactor() == NewTopic.DEFAULT ? 0 : topic.replicationFactor();
        request.configs = new HashMap<>(topic.configs());
        long deadlineNs = deadline();
        TopicChange change = changes.create(request, deadlineNs);
        awaitRoutes(topic.name(), true, deadlineNs);
        return change;
    }

    @Override
    public TopicChange deleteTopic(String name) {
        Objects.requireNonNull(name, "name");
        DeleteTopicRequest request = new DeleteTopicRequest();
        request.topic = name;
        long deadlineNs = deadline();
        TopicChange change = changes.delete(request, deadlineNs);
        awaitRoutes(name, false, deadlineNs);
        return change;
    }

    /**
     * Waits until the nameservers' routes show the topic ({@code exists}) or no longer show it, so that clients
     * see the change right after the call returns. The change was accepted already: past the deadline this only
     * logs.
     */
    private void awaitRoutes(String topic, boolean exists, long deadlineNs) {
        int attempt = 0;
        while (deadlineNs - System.nanoTime() > 0) {
            try {
                GetRoutesResponse answer = routes(List.of(topic), deadlineNs);
                boolean listed = answer.unknownTopics == null || !answer.unknownTopics.contains(topic);
                if (listed == exists) {
                    return;
                }
            } catch (SluiceException e) {
                LOG.debug("Checking the routes of {} failed: {}", topic, e.toString());
            }
            LockSupport.parkNanos(Math.min(backoff.delayNs(++attempt), Math.max(0, deadlineNs - System.nanoTime())));
        }
        LOG.warn("Topic {} was {} but the nameservers do not show it yet", topic, exists ? "created" : "deleted");
    }

    @Override
    public Set<String> listTopics() {
        long deadlineNs = deadline();
        GetRoutesRequest request = TopicNameList.request();
        try (Response response = retrying("list topics", deadlineNs,
                () -> nameservers.request(ApiKey.GET_ROUTES, request, remainingMs(deadlineNs), true))) {
            return TopicNameList.names(response.message());
        }
    }

    @Override
    public TopicDescription describeTopic(String name) {
        Objects.requireNonNull(name, "name");
        return describer.describe(name, deadline());
    }

    @Override
    public ClusterDescription describeCluster() {
        long deadlineNs = deadline();
        DescribeClusterResponse answer;
        try (Response response = retrying("describe cluster", deadlineNs,
                () -> nameservers.request(ApiKey.DESCRIBE_CLUSTER, new Empty(), remainingMs(deadlineNs), true))) {
            answer = response.message();
        }
        List<ClusterDescription.Broker> brokers = new ArrayList<>();
        for (BrokerInfo b : answer.brokers == null ? List.<BrokerInfo>of() : answer.brokers) {
            brokers.add(new ClusterDescription.Broker(b.id, b.host, b.port, b.rack, b.storageState, b.storageDetail));
        }
        brokers.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return new ClusterDescription(brokers, answer.controller, answer.controllerEpoch,
                partitions(answer.underReplicated), partitions(answer.offline), registry(answer.registry),
                answer.underReplicatedCount, answer.offlineCount);
    }

    private static ClusterDescription.Registry registry(RegistryState r) {
        return r == null || r.state == null ? null : new ClusterDescription.Registry(r.state,
                java.time.Instant.ofEpochMilli(r.sinceMs), r.forMs, r.connectString);
    }

    private static List<PartitionInfo> partitions(List<TopicRoute> topics) {
        List<PartitionInfo> out = new ArrayList<>();
        for (TopicRoute t : topics == null ? List.<TopicRoute>of() : topics) {
            for (PartitionRoute p : t.partitions == null ? List.<PartitionRoute>of() : t.partitions) {
                out.add(new PartitionInfo(t.topic, p.partition, p.leader, p.leaderEpoch, p.replicas, p.isr));
            }
        }
        return out;
    }

    private GetRoutesResponse routes(List<String> topics, long deadlineNs) {
        GetRoutesRequest request = new GetRoutesRequest();
        request.topics = new ArrayList<>(topics);
        try (Response response = retrying("get routes", deadlineNs,
                () -> nameservers.request(ApiKey.GET_ROUTES, request, remainingMs(deadlineNs), true))) {
            return response.message();
        }
    }

    /** Runs the read {@code call} until it succeeds or the deadline, retrying retriable errors. */
    private Response retrying(String what, long deadlineNs, Supplier<CompletableFuture<Response>> call) {
        int attempt = 0;
        while (true) {
            SluiceException error;
            CompletableFuture<Response> future = call.get();
            try {
                return future.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                error = SluiceException.from(e.getCause());
            } catch (TimeoutException e) {
                future.thenAccept(Response::close);
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, what + ": no answer within "
                        + AdminConfig.REQUEST_TIMEOUT_MS + "=" + timeoutMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, what + ": interrupted");
            }
            long now = System.nanoTime();
            long pauseNs = backoff.delayNs(++attempt);
            if (!error.code().retriable() || deadlineNs - now - pauseNs <= 0) {
                throw new SluiceException(error.code(), what + ": " + error.getMessage(), error);
            }
            LockSupport.parkNanos(pauseNs);
        }
    }

    private long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    private static long remainingMs(long deadlineNs) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
    }

    @Override
    public List<GroupListing> listGroups() {
        return groups.listGroups();
    }

    @Override
    public GroupDescription describeGroup(String groupId) {
        return groups.describeGroup(groupId);
    }

    @Override
    public Map<TopicPartition, Long> listGroupOffsets(String groupId) {
        return groups.listGroupOffsets(groupId);
    }

    @Override
    public void alterGroupOffsets(String groupId, Map<TopicPartition, Long> offsets) {
        groups.alterGroupOffsets(groupId, offsets);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            groups.close();
            client.close();
        }
    }
}
