package io.sluice.broker.fetch;

import io.sluice.remoting.PartitionHash;
import io.sluice.remoting.protocol.FetchPartition;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a broker remembers of one fetcher between its fetches (Kafka's KIP-227): the partitions it reads, each with
 * the fetch offset, byte limit and leader epoch it last sent, and the high watermark and log start the broker last
 * told it, so that an incremental fetch need only name what changed and its answer only hold what changed.
 * Partitions are kept in serving order: those that returned records move to the end, so that under the request's
 * byte limit the early partitions cannot starve the later ones.
 *
 * <p>Requests of one session come one at a time (the next epoch is known only from the answer); all methods are
 * synchronized anyway, since a parked request is answered on another thread than the one that parked it.
 */
public final class FetchSession {
    /** One partition of a session. */
    public static final class Entry {
        public final String topic;
        public final int partition;
        public long fetchOffset;
        public int maxBytes;
        public int leaderEpoch;
        /** what the fetcher was last told, -1 before its first answer: a change is answered even without records */
        long sentHighWatermark = -1;
        long sentLogStartOffset = -1;

        /** A partition of a fetch outside any session. */
        public static Entry of(FetchPartition p) {
            return new Entry(p);
        }

        Entry(FetchPartition p) {
            this.topic = p.topic;
            this.partition = p.partition;
            update(p);
        }

        void update(FetchPartition p) {
            this.fetchOffset = p.fetchOffset;
            this.maxBytes = p.partitionMaxBytes;
            this.leaderEpoch = p.currentLeaderEpoch;
        }

        /** True if the fetcher must hear of this partition although it returns no records and no error. */
        public boolean changedSinceSent(long highWatermark, long logStartOffset) {
            return highWatermark != sentHighWatermark || logStartOffset != sentLogStartOffset;
        }

        public void sent(long highWatermark, long logStartOffset) {
            sentHighWatermark = highWatermark;
            sentLogStartOffset = logStartOffset;
        }
    }

    private final int id;
    private final int replicaId;
    private final Map<Key, Entry> partitions = new LinkedHashMap<>();
    private int nextEpoch = 1;
    private volatile long lastUsedMs;
    private volatile Runnable onRemoved = () -> { };

    FetchSession(int id, int replicaId, long nowMs) {
        this.id = id;
        this.replicaId = replicaId;
        this.lastUsedMs = nowMs;
    }

    public int id() {
        return id;
    }

    public int replicaId() {
        return replicaId;
    }

    /** Runs {@code action} when the cache drops this session (to forget what watches its connection). */
    public void onRemoved(Runnable action) {
        this.onRemoved = action;
    }

    void removed() {
        onRemoved.run();
    }

    long lastUsedMs() {
        return lastUsedMs;
    }

    void touch(long nowMs) {
        lastUsedMs = nowMs;
    }

    /** Epoch the next incremental fetch must carry. */
    public synchronized int nextEpoch() {
        return nextEpoch;
    }

    /** Takes an epoch in order: true (and the one after is expected next) if {@code epoch} is the expected one. */
    public synchronized boolean acceptEpoch(int epoch) {
        if (epoch != nextEpoch) {
            return false;
        }
        nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
        return true;
    }

    /** Adds or updates {@code changed}, drops {@code forgotten}; returns the partition count after. */
    public synchronized int apply(List<FetchPartition> changed, List<FetchPartition> forgotten) {
        if (forgotten != null) {
            for (FetchPartition p : forgotten) {
                partitions.remove(new Key(p.topic, p.partition));
            }
        }
        if (changed != null) {
            for (FetchPartition p : changed) {
                Entry e = partitions.get(new Key(p.topic, p.partition));
                if (e == null) {
                    partitions.put(new Key(p.topic, p.partition), new Entry(p));
                } else {
                    e.update(p);
                }
            }
        }
        return partitions.size();
    }

    /** Count of partitions after applying {@code changed} and {@code forgotten}, without applying them. */
    public synchronized int sizeAfter(List<FetchPartition> changed, List<FetchPartition> forgotten) {
        int n = partitions.size();
        java.util.Set<Key> gone = new java.util.HashSet<>();
        if (forgotten != null) {
            for (FetchPartition p : forgotten) {
                Key k = new Key(p.topic, p.partition);
                if (partitions.containsKey(k) && gone.add(k)) {
                    n--;
                }
            }
        }
        if (changed != null) {
            java.util.Set<Key> added = new java.util.HashSet<>();
            for (FetchPartition p : changed) {
                Key k = new Key(p.topic, p.partition);
                if ((!partitions.containsKey(k) || gone.contains(k)) && added.add(k)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The partitions in serving order (a copy). */
    public synchronized List<Entry> entries() {
        return new ArrayList<>(partitions.values());
    }

    /** Moves the partitions that just returned records to the end of the serving order. */
    public synchronized void servedLast(List<Entry> served) {
        for (Entry e : served) {
            Key k = new Key(e.topic, e.partition);
            if (partitions.get(k) == e) {
                partitions.remove(k);
                partitions.put(k, e);
            }
        }
    }

    synchronized int size() {
        return partitions.size();
    }

    @Override
    public synchronized String toString() {
        Iterator<Key> it = partitions.keySet().iterator();
        return "FetchSession{id=" + id + ", nextEpoch=" + nextEpoch + ", partitions=" + partitions.size()
                + (it.hasNext() ? ", first=" + it.next() : "") + "}";
    }

    private record Key(String topic, int partition) {
        @Override
        public int hashCode() {
            return PartitionHash.of(topic, partition);
        }
    }
}
