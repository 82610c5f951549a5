package io.sluice.client.internals;

import io.sluice.client.AdminConfig;
import io.sluice.client.TopicChange;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.DeleteTopicRequest;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.TopicRoute;
import io.sluice.remoting.transport.Response;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Creates and deletes topics through the nameservers, retrying until the call's deadline without ever leaving the
 * caller unsure what happened:
 * <ul>
 *   <li>An answer lost after the request was sent ({@code NETWORK_ERROR}, {@code REQUEST_TIMED_OUT}): the change may
 *       or may not have been made. The request is sent again, to the next nameserver. If that one answers
 *       {@code TOPIC_ALREADY_EXISTS} (create) or {@code UNKNOWN_TOPIC} (delete), the lost request is what made the
 *       change: for a create, the existing topic is compared with the request (partitions, replication factor,
 *       configs; the nameserver stores exactly what it was asked), so an identical topic is success and a different
 *       one is reported as a different topic of that name. The {@link TopicChange} note says what happened.</li>
 *   <li>{@code REGISTRY_UNAVAILABLE}: that nameserver cannot reach ZooKeeper and made no change; the next one is
 *       asked at once, and when every nameserver says so the call fails at once (waiting would not help within a
 *       request timeout, and the message says since when the registry is away).</li>
 *   <li>Other retriable errors are retried after a backoff; anything else fails at once.</li>
 * </ul>
 * Each attempt gets half of the time left (all of it once under two seconds), so a lost answer leaves time to ask
 * again. Thread-safe (no state of its own besides the nameservers' stickiness).
 */
final class TopicChanges {
    /** Routes of some topics from the nameservers, retried until the deadline. */
    interface RouteLookup {
        GetRoutesResponse routes(List<String> topics, long deadlineNs);
    }

    /** A create or delete: what it sends, and what a retry sees when a lost attempt already made the change. */
    private record Change(String verb, String topic, ApiKey key, Object request, ErrorCode alreadyDone) {
    }

    private static final long WHOLE_BUDGET_BELOW_NS = TimeUnit.SECONDS.toNanos(2);

    private final NameserverClient nameservers;
    private final Backoff backoff;
    private final RouteLookup routes;
    private final long timeoutMs;

    TopicChanges(NameserverClient nameservers, Backoff backoff, RouteLookup routes, long timeoutMs) {
        this.nameservers = nameservers;
        this.backoff = backoff;
        this.routes = routes;
        this.timeoutMs = timeoutMs;
    }

    TopicChange create(CreateTopicRequest request, long deadlineNs) {
        return apply(new Change("create", request.topic, ApiKey.CREATE_TOPIC, request,
                ErrorCode.TOPIC_ALREADY_EXISTS), deadlineNs);
    }

    TopicChange delete(DeleteTopicRequest request, long deadlineNs) {
        return apply(new Change("delete", request.topic, ApiKey.DELETE_TOPIC, request, ErrorCode.UNKNOWN_TOPIC),
                deadlineNs);
    }

    private TopicChange apply(Change change, long deadlineNs) {
        String what = change.verb() + " topic " + change.topic();
        int attempts = 0;
        int registryRefusals = 0;
        int unreachable = 0;
        SluiceException lost = null;
        while (true) {
            attempts++;
            int target = nameservers.current();
            SluiceException error = send(change, deadlineNs);
            if (error == null) {
                return new TopicChange(change.topic(), attempts, lost == null ? null : lostNote(lost)
                        + "; the retry " + (change.key() == ApiKey.CREATE_TOPIC ? "created" : "deleted") + " it");
            }
            ErrorCode code = error.code();
            if (lost == null && code == change.alreadyDone()) {
                throw failure(code, what, error, null); // e.g. deleting a topic that never existed
            }
            if (lost != null && code == change.alreadyDone()) {
                return change.key() == ApiKey.CREATE_TOPIC
                        ? confirmCreated((CreateTopicRequest) change.request(), attempts, lost, deadlineNs)
                        : new TopicChange(change.topic(), attempts, lostNote(lost) + "; a retry found no topic "
                        + change.topic() + ": the lost request deleted it");
            }
            if (code == ErrorCode.NETWORK_ERROR && neverConnected(error)) {
                // not sent, so nothing to find out: when no nameserver takes a connection, say so now
                if (++unreachable >= Math.max(RouteCache.UNREACHABLE_AFTER, nameservers.addresses().size())
                        && lost == null) {
                    throw new SluiceException(ErrorCode.NETWORK_ERROR, what + ": no nameserver can be reached at "
                            + nameservers.addresses() + " (" + attempts + " attempts; nothing was sent): "
                            + error.getMessage(), error);
                }
                nameservers.moveOn(target);
                LockSupport.parkNanos(Math.min(backoff.delayNs(attempts),
                        Math.max(0, deadlineNs - System.nanoTime())));
                continue;
            }
            unreachable = 0;
            boolean answerLost = code == ErrorCode.NETWORK_ERROR || code == ErrorCode.REQUEST_TIMED_OUT;
            if (answerLost) {
                lost = lost == null ? error : lost;
                nameservers.moveOn(target);
            } else if (code == ErrorCode.REGISTRY_UNAVAILABLE) {
                if (++registryRefusals >= nameservers.addresses().size()) {
                    throw failure(code, what, error, lost);
                }
                nameservers.moveOn(target);
                continue;
            } else if (!code.retriable()) {
                throw failure(code, what, error, lost);
            }
            long pauseNs = backoff.delayNs(attempts);
            if (deadlineNs - System.nanoTime() - pauseNs <= 0) {
                throw failure(code, what, error, lost);
            }
            LockSupport.parkNanos(pauseNs);
        }
    }

    /** True if {@code error} is a failure to connect: the request never left. */
    private static boolean neverConnected(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** Sends one attempt; null if it succeeded, else its error. */
    private SluiceException send(Change change, long deadlineNs) {
        long leftNs = deadlineNs - System.nanoTime();
        if (leftNs <= 0) {
            return new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "no time left (" + AdminConfig.REQUEST_TIMEOUT_MS
                    + "=" + timeoutMs + ")");
        }
        long attemptNs = leftNs < WHOLE_BUDGET_BELOW_NS ? leftNs : leftNs / 2;
        long attemptMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(attemptNs));
        CompletableFuture<Response> future = nameservers.request(change.key(), change.request(), attemptMs, false);
        try {
            future.get(attemptMs + 1_000, TimeUnit.MILLISECONDS).close();
            return null;
        } catch (ExecutionException e) {
            return SluiceException.from(e.getCause());
        } catch (TimeoutException e) {
            future.thenAccept(Response::close);
            return new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "no answer within " + attemptMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.thenAccept(Response::close);
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, change.verb() + " topic " + change.topic()
                    + ": interrupted" + (change.key() == ApiKey.CREATE_TOPIC ? "; it may or may not exist" : ""));
        }
    }

    /**
     * A retried create found the topic: success if it is exactly what was asked (the lost request made it),
     * TOPIC_ALREADY_EXISTS naming every difference otherwise (someone else made a different topic of that name).
     */
    private TopicChange confirmCreated(CreateTopicRequest asked, int attempts, SluiceException lost,
                                       long deadlineNs) {
        TopicRoute existing = existing(asked.topic, deadlineNs);
        if (existing == null) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "create topic " + asked.topic + ": "
                    + lostNote(lost) + "; a retry was told the topic exists, but the nameservers do not list it yet,"
                    + " so it could not be compared with the request: check with `topic describe`");
        }
        String differences = differences(asked, existing);
        if (!differences.isEmpty()) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "create topic " + asked.topic + ": a different"
                    + " topic of that name exists (" + differences + "); this call did not create it (" + lostNote(lost)
                    + ", and a retry found that topic)");
        }
        return new TopicChange(asked.topic, attempts, lostNote(lost) + "; a retry found topic " + asked.topic
                + " with exactly the requested settings (" + existing.partitions.size() + " partitions, replication"
                + " factor " + existing.replicationFactor + ", configs " + sorted(existing.configs)
                + "): the lost request created it");
    }

    /** The topic's route once the nameservers list it (their routes may trail the registry a little), or null. */
    private TopicRoute existing(String topic, long deadlineNs) {
        int attempt = 0;
        do {
            try {
                GetRoutesResponse answer = routes.routes(List.of(topic), deadlineNs);
                for (TopicRoute t : answer.topics == null ? List.<TopicRoute>of() : answer.topics) {
                    if (topic.equals(t.topic)) {
                        return t;
                    }
                }
            } catch (SluiceException e) {
                // asked again below, until the deadline
            }
            LockSupport.parkNanos(Math.min(backoff.delayNs(++attempt), Math.max(0, deadlineNs - System.nanoTime())));
        } while (deadlineNs - System.nanoTime() > 0);
        return null;
    }

    /** How {@code existing} differs from what {@code asked} requests, empty if it does not. */
    static String differences(CreateTopicRequest asked, TopicRoute existing) {
        StringBuilder out = new StringBuilder();
        int partitions = existing.partitions == null ? 0 : existing.partitions.size();
        if (asked.partitions != 0 && partitions != asked.partitions) {
            out.append(partitions).append(" partitions, asked ").append(asked.partitions);
        }
        int rf = asked.replicationFactor == 0 ? 1 : asked.replicationFactor;
        if (existing.replicationFactor != rf) {
            out.append(out.isEmpty() ? "" : "; ").append("replication factor ").append(existing.replicationFactor)
                    .append(", asked ").append(rf);
        }
        Map<String, String> has = sorted(existing.configs);
        Map<String, String> wants = sorted(asked.configs);
        if (!has.equals(wants)) {
            out.append(out.isEmpty() ? "" : "; ").append("configs ").append(has).append(", asked ").append(wants);
        }
        return out.toString();
    }

    private static Map<String, String> sorted(Map<String, String> configs) {
        Map<String, String> out = new TreeMap<>();
        if (configs != null) {
            configs.forEach((k, v) -> out.put(k, Objects.requireNonNullElse(v, "").trim()));
        }
        return out;
    }

    private static String lostNote(SluiceException lost) {
        return "the answer to an earlier attempt was lost (" + lost.code() + ": " + lost.getMessage() + ")";
    }

    private static SluiceException failure(ErrorCode code, String what, SluiceException error, SluiceException lost) {
        String message = what + ": " + error.getMessage();
        if (lost != null && code != ErrorCode.TOPIC_ALREADY_EXISTS) {
            message += "; " + lostNote(lost) + " and whether it took effect could not be established: check with"
                    + " `topic describe`";
        }
        SluiceException out = new SluiceException(code, message, error);
        if (lost != null && lost != error) {
            out.addSuppressed(lost);
        }
        return out;
    }
}
