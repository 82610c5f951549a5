package io.sluice.broker.log;

import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The segments of one broker whose files are open, bounded: each holds
 * {@value ProcessLimits#FILES_PER_ACTIVE_PARTITION} descriptor and up to
 * {@value ProcessLimits#MAPS_PER_ACTIVE_PARTITION} maps, so without a bound a burst touching more partitions than
 * the process limits allow would fail with {@code EMFILE} (and take the sockets down with it). Before a segment
 * opens its files while {@link #limit()} are open, segments that nobody is reading or appending to are closed, 64
 * at a time (a tenth of the limit when that is less), each the least recently used of a few picked at random (see
 * {@link #makeRoom}); a segment closed this way reopens on its next use, like one closed for idleness, and its
 * appender resumes where it was without reading the file's end or allocating its space again.
 *
 * <p>The bound is soft: segments in use cannot be closed, so more can be open while more are in use at once. One
 * thread evicts at a time; the others open without waiting. Thread-safe.
 */
public final class OpenSegments {
    /** No bound: for logs opened on their own (tools, tests). */
    static final OpenSegments UNBOUNDED = new OpenSegments(Integer.MAX_VALUE);

    /** Segments closed at most per eviction pass: enough to amortize the sort, few enough to pause briefly. */
    private static final int EVICTION_BATCH = 64;
    /** Segments looked at to pick each one to close. */
    private static final int SAMPLE = 2;

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
        this.lowWater = Math.max(0, limit - Math.max(1, Math.min(EVICTION_BATCH, limit / 10)));
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
     * Makes room before {@code opening} opens its files: if the limit is reached, closes segments that can be closed
     * (never {@code opening}), each the least recently used of {@value #SAMPLE} picked at random. Not strictly the
     * least recently used of all: partitions written in turn, more of them than the limit, would then always find
     * their segment just closed (every open a reopen). Sampling still closes idle segments first when most are idle,
     * and keeps most of a cycling set open; the fewer sampled, the more (simulated, 10,000 partitions written in
     * turn through 9,488 open segments: 15% of appends reopen with two sampled, 29% with five, 100% with strict
     * LRU; with a skewed load, 10,000 partitions by Zipf through 3,000 open, two and five differ by 1%). Returns at
     * once if another thread is evicting.
     */
    void makeRoom(LogSegment opening) {
        if (open.size() < limit || !evicting.tryLock()) {
            return;
        }
        try {
            LogSegment[] candidates = open.toArray(new LogSegment[0]);
            int toClose = open.size() - lowWater;
            if (toClose <= 0 || candidates.length == 0) {
                return;
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long now = System.nanoTime();
            for (int attempt = 0; attempt < 8 * toClose + 16 && open.size() > lowWater; attempt++) {
                LogSegment victim = null;
                long victimUsedNs = 0;
                for (int i = 0; i < SAMPLE; i++) {
                    LogSegment s = candidates[random.nextInt(candidates.length)];
                    long usedNs = s.lastUsedNs();
                    if (s != opening && s.filesOpen() && (victim == null || usedNs - victimUsedNs < 0)) {
                        victim = s;
                        victimUsedNs = usedNs;
                    }
                }
                if (victim != null && victim.closeFilesIfIdle(now, 0)) {
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
}
