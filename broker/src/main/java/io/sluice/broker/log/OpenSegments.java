package io.sluice.broker.log;

import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The segments of one broker whose files are open, bounded: each holds about
 * {@value ProcessLimits#FILES_PER_ACTIVE_PARTITION} descriptors and {@value ProcessLimits#MAPS_PER_ACTIVE_PARTITION}
 * maps, so without a bound a burst touching more partitions than the process limits allow would fail with
 * {@code EMFILE} (and take the sockets down with it). Before a segment opens its files while {@link #limit()} are
 * open, the least recently used ones that nobody is reading or appending to are closed, down to nine tenths of the
 * limit (so that evictions come in batches, not one per open); a segment closed this way reopens on its next use,
 * like one closed for idleness.
 *
 * <p>The bound is soft: segments in use cannot be closed, so more can be open while more are in use at once. One
 * thread evicts at a time; the others open without waiting. Thread-safe.
 */
public final class OpenSegments {
    /** No bound: for logs opened on their own (tools, tests). */
    static final OpenSegments UNBOUNDED = new OpenSegments(Integer.MAX_VALUE);

    private final int limit;
    private final int lowWater;
    private final Set<LogSegment> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock evicting = new ReentrantLock();
    private final AtomicLong evictions = new AtomicLong();

    /** @param limit segments that may hold files open at once before the least recently used are closed */
    public OpenSegments(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
        this.lowWater = Math.max(0, limit - Math.max(1, limit / 10));
    }

    /**
     * A bound derived from this process's open-files and map-count limits ({@link ProcessLimits#partitionsCapacity()}),
     * or {@code configured} if positive.
     */
    public static OpenSegments forProcess(int configured) {
        if (configured > 0) {
            return new OpenSegments(configured);
        }
        long capacity = ProcessLimits.partitionsCapacity();
        return capacity < 0 ? new OpenSegments(Integer.MAX_VALUE)
                : new OpenSegments((int) Math.max(1, Math.min(Integer.MAX_VALUE, capacity)));
    }

    public int limit() {
        return limit;
    }

    /** Segments holding files open now. */
    public int count() {
        return open.size();
    }

    /** Segments whose files were closed to stay within the limit, since start. */
    public long evictions() {
        return evictions.get();
    }

    /**
     * Makes room before {@code opening} opens its files: if the limit is reached, closes the least recently used
     * segments that can be closed (never {@code opening}). Returns at once if another thread is evicting.
     */
    void makeRoom(LogSegment opening) {
        if (open.size() < limit || !evicting.tryLock()) {
            return;
        }
        try {
            if (open.size() < limit) {
                return;
            }
            // when each was last used, read once: the sort must not see the times move
            Used[] byAge = open.stream().map(seg -> new Used(seg, seg.lastUsedNs())).toArray(Used[]::new);
            Arrays.sort(byAge, Comparator.comparingLong(Used::atNs));
            long now = System.nanoTime();
            for (Used u : byAge) {
                if (open.size() <= lowWater) {
                    break;
                }
                if (u.segment() != opening && u.segment().closeFilesIfIdle(now, 0)) {
                    evictions.incrementAndGet();
                }
            }
            // Chronicle unmaps and closes in a background thread: help it, so the descriptors are free now
            BackgroundResourceReleaser.releasePendingResources();
        } finally {
            evicting.unlock();
        }
    }

    /** {@code segment} opened its files. */
    void opened(LogSegment segment) {
        open.add(segment);
    }

    /** {@code segment} closed its files (they may stay mapped until the reads that hold them end). */
    void closed(LogSegment segment) {
        open.remove(segment);
    }

    private record Used(LogSegment segment, long atNs) {
    }
}
