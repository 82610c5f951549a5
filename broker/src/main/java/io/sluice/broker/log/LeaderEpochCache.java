package io.sluice.broker.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The leader-epoch history of a partition: for each leader epoch, the first offset appended in it. Followers use
 * it after a leader change to find where their log diverges from the new leader's ({@link #endOffsetFor(int)},
 * Kafka's semantics), and the log updates it on appends, truncation and retention.
 *
 * <p>Every change is checkpointed atomically into the partition metadata file (see {@link PartitionMetadata}) by
 * the owning {@link PartitionLog}, after this cache's lock is released. Thread-safe.
 */
public final class LeaderEpochCache {
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1L;

    /** The first offset of one leader epoch. */
    public record EpochEntry(int epoch, long startOffset) {
    }

    /** The answer of {@link #endOffsetFor(int)}: the epoch found and the offset where it ended. */
    public record EpochEndOffset(int epoch, long endOffset) {
        public boolean isUndefined() {
            return epoch == UNDEFINED_EPOCH && endOffset == UNDEFINED_OFFSET;
        }
    }

    private final List<EpochEntry> entries;
    private final LongSupplier logEndOffset;
    private final Runnable onChange;

    LeaderEpochCache(List<EpochEntry> initial, LongSupplier logEndOffset, Runnable onChange) {
        this.entries = new ArrayList<>(initial);
        this.logEndOffset = logEndOffset;
        this.onChange = onChange;
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. Does nothing if it is the latest epoch already
     * (unless the new start is lower); otherwise drops entries with an epoch at or above {@code epoch} or a start
     * offset at or above {@code startOffset} (they contradict the new entry), then adds it.
     *
     * @return true if the history changed
     */
    public boolean assign(int epoch, long startOffset) {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("invalid epoch entry " + epoch + "@" + startOffset);
        }
        synchronized (this) {
            EpochEntry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
            if (last != null && last.epoch() == epoch && last.startOffset() <= startOffset) {
                return false;
            }
            while (!entries.isEmpty()) {
                EpochEntry tail = entries.get(entries.size() - 1);
                if (tail.epoch() >= epoch || tail.startOffset() >= startOffset) {
                    entries.remove(entries.size() - 1);
                } else {
                    break;
                }
            }
            entries.add(new EpochEntry(epoch, startOffset));
        }
        onChange.run();
        return true;
    }

    /** The latest epoch, or {@link #UNDEFINED_EPOCH} if none is known. */
    public synchronized int latestEpoch() {
        return entries.isEmpty() ? UNDEFINED_EPOCH : entries.get(entries.size() - 1).epoch();
    }

    /** The latest entry, or null. */
    public synchronized EpochEntry latestEntry() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /** The earliest entry, or null. */
    public synchronized EpochEntry earliestEntry() {
        return entries.isEmpty() ? null : entries.get(0);
    }

    /**
     * Where {@code requestedEpoch} ended in this log, with Kafka's semantics: for the latest epoch, the log end
     * offset; for an older epoch, the start offset of the next higher epoch, paired with the largest epoch at or
     * below the one requested (or the requested one if it is below every known epoch); for an unknown epoch higher
     * than all known ones (or {@link #UNDEFINED_EPOCH}), undefined.
     */
    public EpochEndOffset endOffsetFor(int requestedEpoch) {
        long leo = logEndOffset.getAsLong();
        synchronized (this) {
            if (requestedEpoch == UNDEFINED_EPOCH || entries.isEmpty()) {
                return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
            }
            if (entries.get(entries.size() - 1).epoch() == requestedEpoch) {
                return new EpochEndOffset(requestedEpoch, leo);
            }
            EpochEntry floor = null;
            EpochEntry higher = null;
            for (EpochEntry e : entries) {
                if (e.epoch() <= requestedEpoch) {
                    floor = e;
                } else {
                    higher = e;
                    break;
                }
            }
            if (higher == null) {
                return new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
            }
            return new EpochEndOffset(floor == null ? requestedEpoch : floor.epoch(), higher.startOffset());
        }
    }

    /** The epoch of the leader that appended {@code offset}, or {@link #UNDEFINED_EPOCH} if unknown. */
    public synchronized int epochForOffset(long offset) {
        int epoch = UNDEFINED_EPOCH;
        for (EpochEntry e : entries) {
            if (e.startOffset() <= offset) {
                epoch = e.epoch();
            } else {
                break;
            }
        }
        return epoch;
    }

    /** Drops the entries starting at or after {@code endOffset} (the log was truncated there). */
    public void truncateFromEnd(long endOffset) {
        boolean changed = false;
        synchronized (this) {
            while (!entries.isEmpty() && entries.get(entries.size() - 1).startOffset() >= endOffset) {
                entries.remove(entries.size() - 1);
                changed = true;
            }
        }
        if (changed) {
            onChange.run();
        }
    }

    /**
     * The log now starts at {@code startOffset}: drops the entries that start at or before it, except the last of
     * them, which now starts at {@code startOffset}.
     */
    public void truncateFromStart(long startOffset) {
        boolean changed = false;
        synchronized (this) {
            EpochEntry lastRemoved = null;
            int removed = 0;
            while (!entries.isEmpty() && entries.get(0).startOffset() <= startOffset) {
                lastRemoved = entries.remove(0);
                removed++;
            }
            if (lastRemoved != null) {
                entries.add(0, new EpochEntry(lastRemoved.epoch(), startOffset));
                changed = removed > 1 || lastRemoved.startOffset() != startOffset;
            }
        }
        if (changed) {
            onChange.run();
        }
    }

    /** Drops every entry. */
    void clear() {
        boolean changed;
        synchronized (this) {
            changed = !entries.isEmpty();
            entries.clear();
        }
        if (changed) {
            onChange.run();
        }
    }

    /** A snapshot of the history, oldest first. */
    public synchronized List<EpochEntry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries));
    }

    @Override
    public synchronized String toString() {
        return "LeaderEpochCache" + entries;
    }
}
