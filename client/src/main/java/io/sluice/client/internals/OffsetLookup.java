package io.sluice.client.internals;

import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks partition leaders for offsets by timestamp (LIST_OFFSETS): one partition asynchronously, or many at once
 * blocking until a deadline with retries of retriable errors (refreshing routes when told). Thread-safe.
 */
final class OffsetLookup {
    private final RemotingClient client;
    private final RouteCache routes;
    private final long requestTimeoutMs;
    private final Backoff backoff;

    OffsetLookup(RemotingClient client, RouteCache routes, long requestTimeoutMs, Backoff backoff) {
        this.client = client;
        this.routes = routes;
        this.requestTimeoutMs = requestTimeoutMs;
        this.backoff = backoff;
    }

    /**
     * Sends one LIST_OFFSETS to the partition's leader. Fails with {@code LEADER_NOT_AVAILABLE} when no leader is
     * known (and asks for fresh routes).
     */
    CompletableFuture<ListOffsetsResponse> send(TopicPartition tp, long timestamp) {
        TopicRoutes topicRoutes = routes.topic(tp.topic());
        InetSocketAddress leader = topicRoutes == null ? null : topicRoutes.leader(tp.partition());
        if (leader == null) {
            routes.addTopic(tp.topic());
            routes.requestRefresh();
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE,
                    "no leader known for " + tp));
        }
        ListOffsetsRequest request = new ListOffsetsRequest();
        request.topic = tp.topic();
        request.partition = tp.partition();
        request.timestamp = timestamp;
        return client.connection(leader)
                .thenCompose(c -> c.request(ApiKey.LIST_OFFSETS, request, null, requestTimeoutMs))
                .thenApply(OffsetLookup::message);
    }

    private static ListOffsetsResponse message(Response response) {
        try {
            return response.message();
        } finally {
            response.close();
        }
    }

    /**
     * The answer for each partition's timestamp (or {@link ListOffsetsRequest#EARLIEST}/{@code LATEST}). Retries
     * until {@code deadlineNs}, then throws {@code REQUEST_TIMED_OUT}; throws at once for an unknown topic or
     * partition or an error that cannot be retried.
     */
    Map<TopicPartition, ListOffsetsResponse> lookup(Map<TopicPartition, Long> timestamps, long deadlineNs) {
        Map<TopicPartition, Long> remaining = new HashMap<>(timestamps);
        Map<TopicPartition, ListOffsetsResponse> result = new HashMap<>();
        SluiceException last = null;
        int attempt = 0;
        while (!remaining.isEmpty()) {
            Map<TopicPartition, CompletableFuture<ListOffsetsResponse>> pending = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> e : remaining.entrySet()) {
                TopicPartition tp = e.getKey();
                TopicRoutes topicRoutes = routes.awaitTopic(tp.topic(), deadlineNs, false);
                if (tp.partition() >= topicRoutes.partitionCount()) {
                    throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic " + tp.topic() + " has "
                            + topicRoutes.partitionCount() + " partitions; " + tp + " does not exist");
                }
                pending.put(tp, send(tp, e.getValue()));
            }
            for (Map.Entry<TopicPartition, CompletableFuture<ListOffsetsResponse>> e : pending.entrySet()) {
                try {
                    long waitNs = Math.max(0, deadlineNs - System.nanoTime());
                    result.put(e.getKey(), e.getValue().get(waitNs, TimeUnit.NANOSECONDS));
                    remaining.remove(e.getKey());
                } catch (ExecutionException ex) {
                    SluiceException error = SluiceException.from(ex.getCause());
                    if (!error.code().retriable()) {
                        throw new SluiceException(error.code(), e.getKey() + ": " + error.getMessage(), error);
                    }
                    if (error.code().refreshRoutes()) {
                        routes.requestRefresh();
                    }
                    last = error;
                } catch (TimeoutException ex) {
                    break;
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while looking up offsets");
                }
            }
            if (remaining.isEmpty()) {
                break;
            }
            long now = System.nanoTime();
            if (deadlineNs - now <= 0) {
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "offsets of " + remaining.keySet()
                        + " not found in time" + (last == null ? "" : "; last error " + last), last);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while looking up offsets");
            }
            routes.maybeRefresh(now);
            LockSupport.parkNanos(Math.min(backoff.delayNs(++attempt), deadlineNs - now));
        }
        return result;
    }
}
