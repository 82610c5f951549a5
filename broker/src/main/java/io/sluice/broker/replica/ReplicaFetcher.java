package io.sluice.broker.replica;

import io.sluice.broker.log.LeaderEpochCache;
import io.sluice.broker.partition.Partition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.netty.buffer.ByteBuf;
import io.sluice.remoting.fetch.FetchSessionBuilder;
import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.FetchedPartition;
import io.sluice.remoting.protocol.OffsetsForLeaderEpochRequest;
import io.sluice.remoting.protocol.OffsetsForLeaderEpochResponse;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pulls the partitions this broker follows from one leader broker (an agent: {@link #doWork} is called in a loop
 * by the replica manager's thread), as Kafka's replica fetcher thread per source broker does. A newly followed
 * partition (or one in a new leader epoch) first asks OFFSETS_FOR_LEADER_EPOCH where its log diverges from the
 * leader's and is truncated there; then it joins the fetcher's one long-poll FETCH in flight, which asks for every
 * such partition from its log end in a fetch session (only what changed is sent and answered), and whose answer is
 * appended partition by partition as follower. An error for one partition (leader moved, epoch fenced) pauses that
 * partition alone for the backoff (it leaves the session meanwhile); an out-of-range answer sends it back to the
 * truncation step; a failed request (connection lost, session unknown) pauses the fetch for the backoff and the
 * next one is a full fetch. A full disk (the append refused with STORAGE_FULL, having stored whole batches only)
 * pauses the partition for at least a second and is logged once per partition every ten seconds; it fetches again
 * from its log end once space returns.
 *
 * <p>Thread-safe: {@link #follow}/{@link #unfollow}/{@link #address} may be called from any thread; answers are
 * handled on the client's I/O threads, one fetch at a time (the session is handed along with the in-flight flag).
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
    /** the one FETCH in flight (its holder owns {@link #session}) */
    private final AtomicBoolean fetchInFlight = new AtomicBoolean();
    private final FetchSessionBuilder session = new FetchSessionBuilder();
    private volatile InetSocketAddress address;
    private volatile long connectRetryAtMs;
    private volatile long fetchRetryAtMs;
    private Connection sessionConnection;

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

    /**
     * Sends OFFSETS_FOR_LEADER_EPOCH for every partition still to be truncated, and the fetch of all the others if
     * none is in flight; returns how many requests were sent.
     */
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
            if (task.truncated || task.removed || nowMs < task.retryAtMs
                    || !task.inFlight.compareAndSet(false, true)) {
                continue;
            }
            sent++;
            try {
                askEpochEnd(connection, task);
            } catch (RuntimeException e) {
                failed(task, e);
                task.inFlight.set(false);
            }
        }
        if (nowMs >= fetchRetryAtMs && fetchInFlight.compareAndSet(false, true)) {
            boolean fetching = false;
            try {
                fetching = fetch(connection, nowMs);
            } catch (RuntimeException e) {
                session.onError(ErrorCode.UNKNOWN);
                fetchRetryAtMs = nowMs + config.backoffMs();
                log.warn("Sending a fetch to broker {} failed", leaderId, e);
            } finally {
                if (!fetching) {
                    fetchInFlight.set(false);
                }
            }
            if (fetching) {
                sent++;
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

    /**
     * Sends one FETCH for every truncated partition not paused (the caller holds {@link #fetchInFlight}); false if
     * there is none to fetch.
     */
    private boolean fetch(Connection connection, long nowMs) {
        if (connection != sessionConnection) {
            session.reset(); // a new connection: the broker dropped the old session with the old connection
            sessionConnection = connection;
        }
        Map<FetchSessionBuilder.Key, Sent> sent = new HashMap<>();
        List<FetchPartition> wanted = new ArrayList<>();
        for (Task task : tasks.values()) {
            if (!task.truncated || task.removed || nowMs < task.retryAtMs
                    || wanted.size() >= FetchRequest.MAX_PARTITIONS) {
                continue;
            }
            Partition p = task.partition;
            long logEnd = p.log().logEndOffset();
            wanted.add(new FetchPartition(p.topic(), p.id(), logEnd, config.fetchMaxBytes(), task.epoch));
            sent.put(new FetchSessionBuilder.Key(p.topic(), p.id()), new Sent(task, logEnd));
        }
        if (wanted.isEmpty()) {
            return false;
        }
        FetchRequest request = session.build(wanted, brokerId, config.fetchMaxWaitMs(), 1,
                config.fetchResponseMaxBytes());
        long timeout = config.fetchMaxWaitMs() + 10_000L;
        connection.request(ApiKey.FETCH, request, null, timeout).whenComplete((response, error) -> {
            boolean next = false;
            try {
                if (error != null) {
                    fetchFailed(error);
                } else {
                    session.onResponse(response.message());
                    appendAll(sent, response);
                    next = true;
                }
            } catch (RuntimeException e) {
                log.warn("Handling a fetch answer from broker {} failed", leaderId, e);
                session.onError(ErrorCode.UNKNOWN);
            } finally {
                if (response != null) {
                    response.close();
                }
                fetchInFlight.set(false);
            }
            if (next) {
                fetchNext(connection);
            } else {
                wake.run();
            }
        });
        return true;
    }

    /** A partition of the fetch in flight: its task and the offset asked for (its log end then). */
    private record Sent(Task task, long offset) {
    }

    private void fetchFailed(Throwable error) {
        SluiceException e = SluiceException.from(error instanceof java.util.concurrent.CompletionException
                && error.getCause() != null ? error.getCause() : error);
        session.onError(e.code());
        if (e.code() != ErrorCode.FETCH_SESSION_ID_NOT_FOUND && e.code() != ErrorCode.INVALID_FETCH_SESSION_EPOCH) {
            fetchRetryAtMs = System.currentTimeMillis() + config.backoffMs();
        }
        log.debug("Fetch from broker {} failed: {}", leaderId, e.getMessage());
    }

    /** Appends each partition's batches (a slice of the payload, in entry order) or handles its error. */
    private void appendAll(Map<FetchSessionBuilder.Key, Sent> sent, Response response) {
        FetchResponse answer = response.message();
        if (answer.partitions == null) {
            return;
        }
        ByteBuf payload = response.payload();
        int pos = payload.readerIndex();
        for (FetchedPartition r : answer.partitions) {
            int length = Math.max(0, Math.min(r.recordsBytes, payload.writerIndex() - pos));
            ByteBuf batches = payload.slice(pos, length);
            pos += length;
            Sent s = sent.get(new FetchSessionBuilder.Key(r.topic, r.partition));
            if (s == null || s.task.removed || tasks.get(s.task.partition) != s.task) {
                continue;
            }
            try {
                if (r.errorCode != 0) {
                    failed(s.task, new SluiceException(ErrorCode.forId(r.errorCode), r.errorMessage));
                } else if (s.task.partition.log().logEndOffset() == s.offset) {
                    // else the log moved meanwhile (truncated by a newer task): this answer is stale
                    s.task.partition.appendAsFollower(batches, r.highWatermark, s.task.epoch);
                }
            } catch (RuntimeException e) {
                failed(s.task, e);
            }
        }
    }

    /**
     * Sends the next fetch at once from the answer's own I/O thread, so that a follower that keeps up costs no
     * hand-off to the agent thread (and back) per round trip: the leader learns the new log ends, and can advance
     * the high watermarks, as soon as the previous batches are appended. Falls back to the agent when no partition
     * is ready or the connection went away.
     */
    private void fetchNext(Connection connection) {
        if (!connection.isActive() || !fetchInFlight.compareAndSet(false, true)) {
            wake.run();
            return;
        }
        boolean sent = false;
        try {
            sent = fetch(connection, System.currentTimeMillis());
        } catch (RuntimeException e) {
            log.warn("Sending a fetch to broker {} failed", leaderId, e);
            session.onError(ErrorCode.UNKNOWN);
        } finally {
            if (!sent) {
                fetchInFlight.set(false);
                wake.run();
            }
        }
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
