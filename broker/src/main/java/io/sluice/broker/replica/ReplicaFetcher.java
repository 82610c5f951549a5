package io.sluice.broker.replica;

import io.sluice.broker.log.LeaderEpochCache;
import io.sluice.broker.partition.Partition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.OffsetsForLeaderEpochRequest;
import io.sluice.remoting.protocol.OffsetsForLeaderEpochResponse;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pulls the partitions this broker follows from one leader broker (an agent: {@link #doWork} is called in a loop
 * by the replica manager's thread). Each followed partition has at most one request in flight: first an
 * OFFSETS_FOR_LEADER_EPOCH to find where its log diverges from the leader's (it is truncated there), then long-poll
 * FETCHes from its log end, each appended as follower. An error (leader moved, connection lost, epoch fenced)
 * pauses the partition for the backoff; an out-of-range answer sends it back to the truncation step. A full disk
 * (the append refused with STORAGE_FULL, having stored whole batches only) pauses it for at least a second and is
 * logged once per partition every ten seconds; it fetches again from its log end once space returns.
 *
 * <p>Thread-safe: {@link #follow}/{@link #unfollow}/{@link #address} may be called from any thread; responses are
 * handled on the client's I/O threads, one at a time per partition.
 */
final class ReplicaFetcher {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
    private static final long STORAGE_FULL_BACKOFF_MS = 1_000;
    private static final long STORAGE_FULL_LOG_INTERVAL_MS = 10_000;

    private final int brokerId;
    private final int leaderId;
    private final RemotingClient client;
    private final ReplicationConfig config;
    private final Runnable wake;
    private final Map<Partition, Task> tasks = new ConcurrentHashMap<>();
    private volatile InetSocketAddress address;
    private volatile long connectRetryAtMs;

    /** One followed partition in one leader epoch. */
    private static final class Task {
        final Partition partition;
        final int epoch;
        final AtomicBoolean inFlight = new AtomicBoolean();
        volatile boolean truncated;
        volatile boolean removed;
        volatile long retryAtMs;
        volatile long storageFullLoggedAtMs = Long.MIN_VALUE;

        Task(Partition partition, int epoch) {
            this.partition = partition;
            this.epoch = epoch;
        }
    }

    /** {@code wake} is run whenever a response has been handled, so the agent sends the next request at once. */
    ReplicaFetcher(int brokerId, int leaderId, RemotingClient client, ReplicationConfig config, Runnable wake) {
        this.wake = wake;
        this.brokerId = brokerId;
        this.leaderId = leaderId;
        this.client = client;
        this.config = config;
    }

    int leaderId() {
        return leaderId;
    }

    /** The leader's address, or null while it is not live. */
    void address(InetSocketAddress value) {
        this.address = value;
    }

    /** Follows {@code partition} in {@code epoch}; a new epoch starts again from the truncation step. */
    void follow(Partition partition, int epoch) {
        Task existing = tasks.get(partition);
        if (existing != null && existing.epoch == epoch) {
            return;
        }
        Task task = new Task(partition, epoch);
        Task old = tasks.put(partition, task);
        if (old != null) {
            old.removed = true;
        }
        log.info("Following {} from broker {} in leader epoch {} (log end {})", partition, leaderId, epoch,
                partition.log().logEndOffset());
    }

    void unfollow(Partition partition) {
        Task old = tasks.remove(partition);
        if (old != null) {
            old.removed = true;
        }
    }

    boolean follows(Partition partition) {
        return tasks.containsKey(partition);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    Iterable<Partition> partitions() {
        return tasks.keySet();
    }

    /** Sends the next request of every partition that has none in flight; returns how many were sent. */
    int doWork(long nowMs) {
        if (tasks.isEmpty()) {
            return 0;
        }
        Connection connection = connection(nowMs);
        if (connection == null) {
            return 0;
        }
        int sent = 0;
        for (Task task : tasks.values()) {
            if (task.removed || nowMs < task.retryAtMs || !task.inFlight.compareAndSet(false, true)) {
                continue;
            }
            sent++;
            try {
                if (task.truncated) {
                    fetch(connection, task);
                } else {
                    askEpochEnd(connection, task);
                }
            } catch (RuntimeException e) {
                failed(task, e);
            }
        }
        return sent;
    }

    private Connection connection(long nowMs) {
        InetSocketAddress to = address;
        if (to == null || nowMs < connectRetryAtMs) {
            return null;
        }
        CompletableFuture<Connection> future = client.connection(to);
        if (!future.isDone()) {
            return null;
        }
        if (future.isCompletedExceptionally()) {
            connectRetryAtMs = nowMs + config.backoffMs();
            return null;
        }
        Connection c = future.join();
        return c.isActive() ? c : null;
    }

    private void askEpochEnd(Connection connection, Task task) {
        OffsetsForLeaderEpochRequest request = new OffsetsForLeaderEpochRequest();
        request.topic = task.partition.topic();
        request.partition = task.partition.id();
        request.leaderEpoch = task.partition.log().leaderEpochCache().latestEpoch();
        request.currentLeaderEpoch = task.epoch;
        request.replicaId = brokerId;
        connection.request(ApiKey.OFFSETS_FOR_LEADER_EPOCH, request, null, 0).whenComplete((response, error) -> {
            try {
                if (error != null) {
                    failed(task, error);
                } else if (!task.removed) {
                    truncate(task, request.leaderEpoch, response.message());
                }
            } catch (RuntimeException e) {
                failed(task, e);
            } finally {
                if (response != null) {
                    response.close();
                }
                task.inFlight.set(false);
                wake.run();
            }
        });
    }

    /** Cuts the log where its history leaves the leader's (Kafka's leader-epoch rule). */
    private void truncate(Task task, int askedEpoch, OffsetsForLeaderEpochResponse answer) {
        Partition p = task.partition;
        long logEnd = p.log().logEndOffset();
        long target;
        if (answer.leaderEpoch == LeaderEpochCache.UNDEFINED_EPOCH) {
            target = Math.min(p.log().highWatermark(), answer.logEndOffset);
        } else if (answer.leaderEpoch == askedEpoch) {
            target = Math.min(answer.endOffset, logEnd);
        } else {
            LeaderEpochCache.EpochEndOffset own = p.log().leaderEpochCache().endOffsetFor(answer.leaderEpoch);
            long ownEnd = own.isUndefined() ? logEnd : own.endOffset();
            target = Math.min(answer.endOffset, Math.min(ownEnd, logEnd));
        }
        if (p.truncateAsFollower(target, answer.logStartOffset, task.epoch)) {
            if (target < logEnd) {
                log.info("{}: truncated from {} to {} to match leader {} (epoch {})", p, logEnd,
                        p.log().logEndOffset(), leaderId, task.epoch);
            }
            task.truncated = true;
        }
    }

    private void fetch(Connection connection, Task task) {
        FetchRequest request = new FetchRequest();
        request.topic = task.partition.topic();
        request.partition = task.partition.id();
        request.offset = task.partition.log().logEndOffset();
        request.maxBytes = config.fetchMaxBytes();
        request.maxWaitMs = config.fetchMaxWaitMs();
        request.minBytes = 1;
        request.replicaId = brokerId;
        request.replicaLogEndOffset = request.offset;
        request.leaderEpoch = task.epoch;
        long timeout = config.fetchMaxWaitMs() + 10_000L;
        connection.request(ApiKey.FETCH, request, null, timeout).whenComplete((response, error) -> {
            boolean next = false;
            try {
                if (error != null) {
                    failed(task, error);
                } else if (!task.removed) {
                    appended(task, request.offset, response);
                    next = true;
                }
            } catch (RuntimeException e) {
                failed(task, e);
                next = false;
            } finally {
                if (response != null) {
                    response.close();
                }
                task.inFlight.set(false);
            }
            if (next) {
                fetchNext(connection, task);
            } else {
                wake.run();
            }
        });
    }

    /**
     * Sends the partition's next fetch at once from the response's own I/O thread, so that a follower that keeps up
     * costs no hand-off to the agent thread (and back) per round trip: the leader learns the new log end, and can
     * advance the high watermark, as soon as the previous batch is appended. Falls back to the agent when the
     * partition moved on or the connection went away.
     */
    private void fetchNext(Connection connection, Task task) {
        if (task.removed || tasks.get(task.partition) != task || !connection.isActive()
                || !task.inFlight.compareAndSet(false, true)) {
            wake.run();
            return;
        }
        try {
            fetch(connection, task);
        } catch (RuntimeException e) {
            failed(task, e);
            task.inFlight.set(false);
            wake.run();
        }
    }

    private void appended(Task task, long fetchedAt, Response response) {
        FetchResponse answer = response.message();
        if (task.partition.log().logEndOffset() != fetchedAt) {
            return; // the log moved meanwhile (truncated by a newer task): this answer is stale
        }
        task.partition.appendAsFollower(response.payload(), answer.highWatermark, task.epoch);
    }

    private void failed(Task task, Throwable error) {
        SluiceException e = SluiceException.from(error instanceof java.util.concurrent.CompletionException
                && error.getCause() != null ? error.getCause() : error);
        if (e.code() == ErrorCode.OFFSET_OUT_OF_RANGE) {
            task.truncated = false;
        }
        long now = System.currentTimeMillis();
        task.retryAtMs = now + config.backoffMs();
        if (e.code() == ErrorCode.STORAGE_FULL) {
            task.retryAtMs = now + Math.max(config.backoffMs(), STORAGE_FULL_BACKOFF_MS);
            if (now - task.storageFullLoggedAtMs >= STORAGE_FULL_LOG_INTERVAL_MS) {
                task.storageFullLoggedAtMs = now;
                log.warn("{}: cannot store what broker {} sent, retrying from offset {}: {}", task.partition,
                        leaderId, task.partition.log().logEndOffset(), e.getMessage());
            }
            return;
        }
        if (e.code() == ErrorCode.NOT_LEADER || e.code() == ErrorCode.FENCED_LEADER_EPOCH
                || e.code() == ErrorCode.NETWORK_ERROR || e.code() == ErrorCode.REQUEST_TIMED_OUT) {
            log.debug("{}: fetch from broker {} failed: {}", task.partition, leaderId, e.getMessage());
        } else {
            log.warn("{}: replication from broker {} failed: {}", task.partition, leaderId, e.toString());
        }
    }
}
