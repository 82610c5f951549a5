package io.sluice.client.internals;

import io.sluice.remoting.TopicNames;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.CreateTopicResponse;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Talks to the coordinator of one consumer group. The coordinator is the leader of partition
 * {@code floorMod(groupId.hashCode(), N)} of the internal topic {@value TopicNames#OFFSETS_TOPIC}, read from the
 * nameserver's
 * routes (the same rule as the broker's {@code GroupCoordinator}); the first client to need the topic asks the
 * nameserver to create it ({@value TopicNames#OFFSETS_TOPIC_PARTITIONS} partitions; the nameserver sets the
 * replication factor, its {@code sluice.nameserver.offsets.topic.replication.factor}, and answers
 * COORDINATOR_NOT_AVAILABLE while fewer brokers are live, which this class retries until its deadline).
 * Blocking calls retry coordinator moves and network errors with backoff until their deadline. Thread-safe.
 */
final class GroupCoordinatorClient {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorClient.class);


    private final RemotingClient client;
    private final NameserverClient nameservers;
    private final RouteCache routes;
    private final String groupId;
    private final long requestTimeoutMs;
    private final Backoff backoff;

    GroupCoordinatorClient(RemotingClient client, NameserverClient nameservers, RouteCache routes, String groupId,
                           long requestTimeoutMs, Backoff backoff) {
        this.client = client;
        this.nameservers = nameservers;
        this.routes = routes;
        this.groupId = groupId;
        this.requestTimeoutMs = requestTimeoutMs;
        this.backoff = backoff;
    }

    String groupId() {
        return groupId;
    }

    /** The coordinator's address from the current routes, or null if unknown (the caller refreshes). */
    InetSocketAddress knownCoordinator() {
        TopicRoutes topic = routes.topic(TopicNames.OFFSETS_TOPIC);
        if (topic == null || topic.partitionCount() == 0) {
            return null;
        }
        return topic.leader(Math.floorMod(groupId.hashCode(), topic.partitionCount()));
    }

    /** Blocks until the coordinator is known (creating the offsets topic if needed) or the deadline passes. */
    InetSocketAddress coordinator(long deadlineNs) {
        int attempt = 0;
        while (true) {
            InetSocketAddress found = knownCoordinator();
            if (found != null) {
                return found;
            }
            try {
                routes.awaitTopic(TopicNames.OFFSETS_TOPIC, deadlineNs, false);
            } catch (SluiceException e) {
                if (e.code() != ErrorCode.UNKNOWN_TOPIC || System.nanoTime() - deadlineNs >= 0) {
                    throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "coordinator of group " + groupId
                            + " not found: " + e.getMessage(), e);
                }
                String refused = createOffsetsTopic(deadlineNs);
                if (refused != null) {   // too few brokers yet: ask again until the deadline
                    pause(++attempt, deadlineNs, "coordinator of group " + groupId + " not available: " + refused);
                    continue;
                }
                routes.awaitTopic(TopicNames.OFFSETS_TOPIC, deadlineNs, true);
            }
            if (knownCoordinator() != null) {
                continue;
            }
            pause(++attempt, deadlineNs, "coordinator of group " + groupId + " has no leader yet");
            refreshRoutes();
        }
    }

    /**
     * Asks the nameserver to create the offsets topic (it decides the replication factor, see above); returns null
     * once it exists, or why the nameserver will not create it yet (COORDINATOR_NOT_AVAILABLE: too few live brokers).
     */
    private String createOffsetsTopic(long deadlineNs) {
        CreateTopicRequest request = new CreateTopicRequest();
        request.topic = TopicNames.OFFSETS_TOPIC;
        request.partitions = TopicNames.OFFSETS_TOPIC_PARTITIONS;
        try (Response answer = nameservers.request(ApiKey.CREATE_TOPIC, request, remainingMs(deadlineNs), false)
                .get(remainingMs(deadlineNs), TimeUnit.MILLISECONDS)) {
            CreateTopicResponse created = answer.message();
            LOG.info("Created the offsets topic {} ({} partitions, replication factor {})", TopicNames.OFFSETS_TOPIC,
                    request.partitions, created.route == null ? "?" : created.route.replicationFactor);
            return null;
        } catch (ExecutionException e) {
            SluiceException error = SluiceException.from(e.getCause());
            if (error.code() == ErrorCode.TOPIC_ALREADY_EXISTS) {
                return null;
            }
            if (error.code() == ErrorCode.COORDINATOR_NOT_AVAILABLE) {
                return error.getMessage();
            }
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "could not create "
                    + TopicNames.OFFSETS_TOPIC + ": " + error.getMessage(), error);
        } catch (TimeoutException e) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "creating " + TopicNames.OFFSETS_TOPIC
                    + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while creating "
                    + TopicNames.OFFSETS_TOPIC);
        }
    }

    /** Sends once to the known coordinator; fails with COORDINATOR_NOT_AVAILABLE if none is known. */
    CompletableFuture<Response> send(ApiKey key, Object message, long timeoutMs) {
        InetSocketAddress address = knownCoordinator();
        if (address == null) {
            refreshRoutes();
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE,
                    "coordinator of group " + groupId + " not known yet"));
        }
        return client.connection(address).thenCompose(c -> c.request(key, message, null, timeoutMs));
    }

    /**
     * Sends {@code message} to the coordinator and returns the answer's body, retrying coordinator moves, network
     * errors and timeouts until {@code deadlineNs}; other errors are thrown at once.
     */
    <T> T call(ApiKey key, Object message, long timeoutMs, long deadlineNs) {
        int attempt = 0;
        while (true) {
            SluiceException error;
            coordinator(deadlineNs);
            CompletableFuture<Response> future = send(key, message, Math.min(timeoutMs, remainingMs(deadlineNs)));
            try (Response response = future.get(remainingMs(deadlineNs) + 1_000, TimeUnit.MILLISECONDS)) {
                return response.message();
            } catch (ExecutionException e) {
                error = SluiceException.from(e.getCause());
            } catch (TimeoutException e) {
                future.thenAccept(Response::close);
                error = new SluiceException(ErrorCode.REQUEST_TIMED_OUT, key + " to the coordinator timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, key + " interrupted");
            }
            if (!isCoordinatorError(error.code())) {
                throw error;
            }
            if (error.code().refreshRoutes()) {
                refreshRoutes();
            }
            pause(++attempt, deadlineNs, key + " for group " + groupId + ": " + error.getMessage());
        }
    }

    /** Refreshes the routes (asynchronously) because the coordinator did not answer or has moved. */
    void coordinatorLost() {
        refreshRoutes();
    }

    private void refreshRoutes() {
        routes.requestRefresh();
        routes.maybeRefresh(System.nanoTime());
    }

    /** Errors after which the same request should go again, possibly to another coordinator. */
    static boolean isCoordinatorError(ErrorCode code) {
        return code == ErrorCode.NOT_COORDINATOR || code == ErrorCode.COORDINATOR_NOT_AVAILABLE
                || code == ErrorCode.NETWORK_ERROR || code == ErrorCode.REQUEST_TIMED_OUT
                || code == ErrorCode.BROKER_NOT_AVAILABLE || code == ErrorCode.TOO_MANY_IN_FLIGHT
                || code == ErrorCode.NOT_LEADER || code == ErrorCode.STORAGE_ERROR;
    }

    private void pause(int attempt, long deadlineNs, String what) {
        long pauseNs = backoff.delayNs(attempt);
        if (deadlineNs - System.nanoTime() - pauseNs <= 0) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, what + " (gave up at the deadline)");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, what + " (interrupted)");
        }
        LockSupport.parkNanos(pauseNs);
    }

    private static long remainingMs(long deadlineNs) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
    }
}
