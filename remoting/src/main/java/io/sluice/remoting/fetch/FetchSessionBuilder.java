package io.sluice.remoting.fetch;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.PartitionHash;
import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fetcher's side of a fetch session with one broker (Kafka's {@code FetchSessionHandler}, KIP-227): turns the
 * partitions a fetcher wants now into a full fetch (no session yet, or the last request failed) or an incremental
 * one that lists only what was added or changed (fetch offset, byte limit, leader epoch) and what was dropped, and
 * follows the session's id and epoch from the answers. Whatever goes wrong, the next request is a full fetch: a
 * broker that restarted, evicted the session or changed leadership never stops the fetcher, it only costs one full
 * request. Used by consumers and by followers alike.
 *
 * <p>Not thread-safe: one request at a time per broker, built, sent and answered in turn ({@link #build}, then
 * {@link #onResponse} or {@link #onError}); the caller orders these calls (a flag handed between threads).
 */
public final class FetchSessionBuilder {
    /** A partition's name, as a map key. */
    public record Key(String topic, int partition) {
        @Override
        public int hashCode() {
            return PartitionHash.of(topic, partition);
        }
    }

    private int sessionId;
    private int nextEpoch = FetchRequest.INITIAL_EPOCH;
    /** the partitions as the broker's session holds them (after the last answered request) */
    private Map<Key, FetchPartition> inSession = new LinkedHashMap<>();
    /** the partitions of the request in flight, as the broker will read them */
    private Map<Key, FetchPartition> pending = Map.of();
    private boolean pendingFull;
    private long fullFetches;
    private long incrementalFetches;

    /**
     * The next request for {@code wanted} (each partition once, in the order to ask for them). The caller sets the
     * request-wide fields it has not been given here.
     */
    public FetchRequest build(List<FetchPartition> wanted, int replicaId, int maxWaitMs, int minBytes, int maxBytes) {
        Map<Key, FetchPartition> next = new LinkedHashMap<>(Math.max(16, wanted.size() * 2));
        for (FetchPartition p : wanted) {
            next.put(new Key(p.topic, p.partition), p);
        }
        FetchRequest request = new FetchRequest();
        request.replicaId = replicaId;
        request.maxWaitMs = maxWaitMs;
        request.minBytes = minBytes;
        request.maxBytes = maxBytes;
        request.sessionId = sessionId;
        if (sessionId == 0 || nextEpoch == FetchRequest.INITIAL_EPOCH) {
            request.sessionEpoch = FetchRequest.INITIAL_EPOCH;
            request.partitions = new ArrayList<>(next.values());
            pendingFull = true;
            fullFetches++;
        } else {
            request.sessionEpoch = nextEpoch;
            List<FetchPartition> changed = new ArrayList<>();
            for (Map.Entry<Key, FetchPartition> e : next.entrySet()) {
                FetchPartition before = inSession.get(e.getKey());
                if (before == null || !same(before, e.getValue())) {
                    changed.add(e.getValue());
                }
            }
            List<FetchPartition> forgotten = new ArrayList<>();
            for (Key k : inSession.keySet()) {
                if (!next.containsKey(k)) {
                    forgotten.add(new FetchPartition(k.topic(), k.partition(), 0, 0, -1));
                }
            }
            request.partitions = changed;
            request.forgotten = forgotten;
            pendingFull = false;
            incrementalFetches++;
        }
        pending = next;
        return request;
    }

    /** The partition as the request in flight asks the broker to read it (changed or not), or null. */
    public FetchPartition sent(String topic, int partition) {
        return pending.get(new Key(topic, partition));
    }

    /** The request in flight was answered: the session goes on (or starts, or there is none). */
    public void onResponse(FetchResponse response) {
        if (pendingFull) {
            sessionId = response.sessionId;
            nextEpoch = sessionId == 0 ? FetchRequest.INITIAL_EPOCH : 1;
        } else {
            nextEpoch = nextEpoch == Integer.MAX_VALUE ? 1 : nextEpoch + 1;
        }
        inSession = pending;
        pending = Map.of();
    }

    /**
     * The request in flight failed: the next is a full fetch (naming the old session so that the broker drops it,
     * unless the broker said it has none).
     */
    public void onError(ErrorCode code) {
        if (code == ErrorCode.FETCH_SESSION_ID_NOT_FOUND) {
            sessionId = 0;
        }
        nextEpoch = FetchRequest.INITIAL_EPOCH;
        inSession = new LinkedHashMap<>();
        pending = Map.of();
    }

    /** Forgets the session altogether (the connection to the broker was replaced). */
    public void reset() {
        sessionId = 0;
        onError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    }

    public int sessionId() {
        return sessionId;
    }

    /** Full fetches built so far. */
    public long fullFetches() {
        return fullFetches;
    }

    /** Incremental fetches built so far. */
    public long incrementalFetches() {
        return incrementalFetches;
    }

    private static boolean same(FetchPartition a, FetchPartition b) {
        return a.fetchOffset == b.fetchOffset && a.partitionMaxBytes == b.partitionMaxBytes
                && a.currentLeaderEpoch == b.currentLeaderEpoch;
    }
}
