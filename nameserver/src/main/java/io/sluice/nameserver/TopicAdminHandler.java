package io.sluice.nameserver;

import io.sluice.registry.RegistryStatus;
import io.sluice.registry.TopicConfigs;
import io.sluice.registry.TopicMetadata;
import io.sluice.registry.TopicStore;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.TopicNames;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.CreateTopicResponse;
import io.sluice.remoting.protocol.DeleteTopicRequest;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Creates and deletes topics: validates the request, assigns replicas to live brokers, and writes the topic to the
 * registry, on an admin executor (registry writes block; I/O threads must not). While this nameserver is not
 * connected to the registry it refuses at once with REGISTRY_UNAVAILABLE saying since when, rather than letting the
 * request wait for the registry (and the client time out not knowing what happened).
 */
final class TopicAdminHandler {
    static final int MAX_PARTITIONS = 10_000;

    private final TopicStore topics;
    private final Supplier<RegistryStatus> registry;
    private final Supplier<RouteTable> routes;
    private final ExecutorService executor;
    private final int defaultPartitions;
    private final int offsetsTopicReplicationFactor;

    TopicAdminHandler(TopicStore topics, Supplier<RegistryStatus> registry, Supplier<RouteTable> routes,
                      ExecutorService executor, int defaultPartitions, int offsetsTopicReplicationFactor) {
        this.topics = topics;
        this.registry = registry;
        this.routes = routes;
        this.executor = executor;
        this.defaultPartitions = defaultPartitions;
        this.offsetsTopicReplicationFactor = offsetsTopicReplicationFactor;
    }

    RequestHandler create() {
        return (ctx, message, payload) -> offload(ctx, () -> {
            CreateTopicResponse response = new CreateTopicResponse();
            TopicMetadata created = createTopic((CreateTopicRequest) message);
            response.route = RouteTable.build(0, java.util.Map.of(created.name(), created),
                    routes.get().brokers()).route(created.name());
            return response;
        });
    }

    RequestHandler delete() {
        return (ctx, message, payload) -> offload(ctx, () -> {
            DeleteTopicRequest request = (DeleteTopicRequest) message;
            if (request.topic == null || request.topic.isBlank()) {
                throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic name is empty");
            }
            requireRegistry("deleted", request.topic);
            topics.delete(request.topic);
            return new Empty();
        });
    }

    private void offload(RequestContext ctx, Supplier<Object> work) {
        try {
            executor.execute(() -> {
                try {
                    ctx.respond(work.get());
                } catch (RuntimeException e) {
                    ctx.fail(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ctx.fail(ErrorCode.UNKNOWN, "nameserver is shutting down");
        }
    }

    /** REGISTRY_UNAVAILABLE (nothing was done) unless this nameserver is connected to the registry. */
    private void requireRegistry(String change, String topic) {
        RegistryStatus status = registry.get();
        if (!status.connected()) {
            throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "topic '" + topic + "' was not " + change
                    + ": this nameserver's connection to the registry (ZooKeeper at " + status.connectString()
                    + ") is " + status.state() + " since " + Instant.ofEpochMilli(status.sinceMs()) + " ("
                    + status.forMs(System.currentTimeMillis()) / 1000 + " s ago); topics can be " + change
                    + " once it is back (`bin/sluice cluster` shows the registry state)");
        }
    }

    private TopicMetadata createTopic(CreateTopicRequest request) {
        if (request.topic == null || request.topic.isBlank()) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic name is empty");
        }
        if (request.topic.equals(TopicNames.OFFSETS_TOPIC)) {
            return create(offsetsTopic());
        }
        int partitions = request.partitions == 0 ? defaultPartitions : request.partitions;
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS,
                    "partitions must be between 1 and " + MAX_PARTITIONS + ", not " + request.partitions);
        }
        int replicationFactor = request.replicationFactor == 0 ? 1 : request.replicationFactor;
        TopicConfigValidator.validate(request.configs, replicationFactor);
        List<BrokerInfo> live = routes.get().brokers();
        List<List<Integer>> assignment = ReplicaAssigner.assign(live, partitions, replicationFactor,
                ThreadLocalRandom.current().nextInt(Math.max(1, live.size())));
        return create(TopicMetadata.withAssignment(request.topic, assignment,
                request.configs == null ? new HashMap<>() : new HashMap<>(request.configs)));
    }

    private TopicMetadata create(TopicMetadata topic) {
        requireRegistry("created", topic.name());
        topics.create(topic);
        return topic;
    }

    /**
     * The offsets topic as this nameserver creates it, whoever asks and with whatever settings: its configured
     * replication factor, {@code min.insync.replicas} one less (at least 1), so a commit survives one broker's loss.
     * With fewer live brokers than that it is not created (as Kafka's offsets topic), COORDINATOR_NOT_AVAILABLE.
     */
    private TopicMetadata offsetsTopic() {
        List<BrokerInfo> live = routes.get().brokers();
        int replicationFactor = offsetsTopicReplicationFactor;
        if (live.size() < replicationFactor) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "the offsets topic "
                    + TopicNames.OFFSETS_TOPIC + " needs " + replicationFactor + " live brokers ("
                    + NameServerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR + ") and " + live.size() + " are live; group "
                    + "coordination starts once they are");
        }
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfigs.MIN_INSYNC_REPLICAS.name(), Integer.toString(Math.max(1, replicationFactor - 1)));
        return TopicMetadata.withAssignment(TopicNames.OFFSETS_TOPIC, ReplicaAssigner.assign(live,
                TopicNames.OFFSETS_TOPIC_PARTITIONS, replicationFactor,
                ThreadLocalRandom.current().nextInt(live.size())), configs);
    }
}
