package io.sluice.client.internals;

import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.RateLimitedLog;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ListOffsetsPartition;
import io.sluice.remoting.protocol.ListOffsetsPartitionResult;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;

import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks partition leaders for offsets by timestamp (LIST_OFFSETS), one request per leader for all the partitions it
 * leads (split at {@link ListOffsetsRequest#MAX_PARTITIONS}): asynchronously, or blocking until a deadline with
 * retries of retriable errors (refreshing routes when told). Thread-safe.
 */
final class OffsetLookup {
    private static final RateLimitedLog MISSING = RateLimitedLog.of(LoggerFactory.getLogger(OffsetLookup.class));

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

    /** One partition's answer: the offset found and the timestamp of that record (-1 if none), or the error. */
    record Found(long offset, long timestamp, SluiceException error) {
        static Found failed(SluiceException error) {
            return new Found(-1, -1, error);
        }
    }

    /** The partition's leader, or null when none is known (then fresh routes are asked for). */
    InetSocketAddress leader(TopicPartition tp) {
        TopicRoutes topicRoutes = routes.topic(tp.topic());
        InetSocketAddress leader = topicRoutes == null ? null : topicRoutes.leader(tp.partition());
        if (leader == null) {
            warnIfMissing(tp, topicRoutes);
            routes.addTopic(tp.topic());
            routes.requestRefresh();
        }
        return leader;
    }

    /**
     * Says so (a few lines per 10 s) when a partition the caller wants does not exist by the nameservers' latest
     * answer: its topic is unknown, or has fewer partitions. Not an error: the topic may be created, or grow, and the
     * partition is then read; but a consumer assigned such a partition would otherwise wait without a word.
     */
    private void warnIfMissing(TopicPartition tp, TopicRoutes topicRoutes) {
        if (topicRoutes != null && tp.partition() >= topicRoutes.partitionCount()) {
            MISSING.warn("missing-partition", "Partition {} does not exist: topic {} has partitions 0..{}; nothing is"
                    + " read from it unless the topic grows", tp, tp.topic(), topicRoutes.partitionCount() - 1);
        } else if (topicRoutes == null && routes.knownMissing(tp.topic())) {
            MISSING.warn("missing-topic", "Partition {} does not exist: the nameservers {} know no topic {}; nothing"
                    + " is read from it unless it is created", tp, routes.nameserverAddresses(), tp.topic());
        }
    }

    /**
     * Sends LIST_OFFSETS to {@code leader} for every partition of {@code timestamps} (in as many requests as
     * {@link ListOffsetsRequest#MAX_PARTITIONS} needs). The future holds an answer for each partition (an error for
     * one the broker did not answer); it fails only if a request failed as a whole.
     */
    CompletableFuture<Map<TopicPartition, Found>> send(InetSocketAddress leader, Map<TopicPartition, Long> timestamps) {
        List<CompletableFuture<Map<TopicPartition, Found>>> requests = new ArrayList<>();
        List<ListOffsetsPartition> batch = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : timestamps.entrySet()) {
            batch.add(ListOffsetsPartition.of(e.getKey().topic(), e.getKey().partition(), e.getValue()));
            if (batch.size() == ListOffsetsRequest.MAX_PARTITIONS) {
                requests.add(sendOne(leader, batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            requests.add(sendOne(leader, batch));
        }
        return CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<TopicPartition, Found> all = new HashMap<>();
            for (CompletableFuture<Map<TopicPartition, Found>> r : requests) {
                all.putAll(r.join());
            }
            for (TopicPartition tp : timestamps.keySet()) {
                all.computeIfAbsent(tp, p -> Found.failed(new SluiceException(ErrorCode.INVALID_REQUEST,
                        "broker " + leader + " did not answer for " + p)));
            }
            return all;
        });
    }

    private CompletableFuture<Map<TopicPartition, Found>> sendOne(InetSocketAddress leader,
                                                                  List<ListOffsetsPartition> partitions) {
        ListOffsetsRequest request = ListOffsetsRequest.of(partitions);
        return client.connection(leader)
                .thenCompose(c -> c.request(ApiKey.LIST_OFFSETS, request, null, requestTimeoutMs))
                .thenApply(OffsetLookup::answers);
    }

    private static Map<TopicPartition, Found> answers(Response response) {
        ListOffsetsResponse message;
        try {
            message = response.message();
        } finally {
            response.close();
        }
        Map<TopicPartition, Found> found = new HashMap<>();
        if (message.partitions == null) {
            return found;
        }
        for (ListOffsetsPartitionResult r : message.partitions) {
            if (r == null || r.topic == null) {
                continue;
            }
            TopicPartition tp = new TopicPartition(r.topic, r.partition);
            found.put(tp, r.errorCode == 0 ? new Found(r.offset, r.timestamp, null)
                    : Found.failed(ErrorCode.forId(r.errorCode).exception(r.errorMessage)));
        }
        return found;
    }

    /**
     * The answer for each partition's timestamp (or {@link ListOffsetsRequest#EARLIEST}/{@code LATEST}), without
     * errors. Retries until {@code deadlineNs}, then throws {@code REQUEST_TIMED_OUT}; throws at once for an
     * unknown topic or partition or an error that cannot be retried.
     */
    Map<TopicPartition, Found> lookup(Map<TopicPartition, Long> timestamps, long deadlineNs) {
        Map<TopicPartition, Long> remaining = new HashMap<>(timestamps);
        Map<TopicPartition, Found> result = new HashMap<>();
        SluiceException last = null;
        int attempt = 0;
        while (!remaining.isEmpty()) {
            Map<InetSocketAddress, Map<TopicPartition, Long>> byLeader = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, Long> e : remaining.entrySet()) {
                TopicPartition tp = e.getKey();
                TopicRoutes topicRoutes = routes.awaitTopic(tp.topic(), deadlineNs, false);
                if (tp.partition() >= topicRoutes.partitionCount()) {
                    throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic " + tp.topic() + " has "
                            + topicRoutes.partitionCount() + " partitions; " + tp + " does not exist");
                }
                InetSocketAddress leader = leader(tp);
                if (leader == null) {
                    last = new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "no leader known for " + tp);
                } else {
                    byLeader.computeIfAbsent(leader, l -> new HashMap<>()).put(tp, e.getValue());
                }
            }
            Map<InetSocketAddress, CompletableFuture<Map<TopicPartition, Found>>> pending = new LinkedHashMap<>();
            byLeader.forEach((leader, query) -> pending.put(leader, send(leader, query)));
            for (CompletableFuture<Map<TopicPartition, Found>> answer : pending.values()) {
                try {
                    long waitNs = Math.max(0, deadlineNs - System.nanoTime());
                    for (Map.Entry<TopicPartition, Found> e : answer.get(waitNs, TimeUnit.NANOSECONDS).entrySet()) {
                        last = take(e.getKey(), e.getValue(), remaining, result, last);
                    }
                } catch (ExecutionException ex) {
                    last = retriable(null, SluiceException.from(ex.getCause()));
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

    /** Records one partition's answer; returns the error to report last if it is a retriable one. */
    private SluiceException take(TopicPartition tp, Found found, Map<TopicPartition, Long> remaining,
                                 Map<TopicPartition, Found> result, SluiceException last) {
        if (!remaining.containsKey(tp)) {
            return last;
        }
        if (found.error() == null) {
            result.put(tp, found);
            remaining.remove(tp);
            return last;
        }
        return retriable(tp, found.error());
    }

    /** {@code error} if it can be retried (asking for fresh routes when it says so); throws otherwise. */
    private SluiceException retriable(TopicPartition tp, SluiceException error) {
        if (!error.code().retriable()) {
            throw new SluiceException(error.code(), (tp == null ? "" : tp + ": ") + error.getMessage(), error);
        }
        if (error.code().refreshRoutes()) {
            routes.requestRefresh();
        }
        return error;
    }
}
