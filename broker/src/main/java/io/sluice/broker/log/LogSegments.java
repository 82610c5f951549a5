package io.sluice.broker.log;

import java.util.Arrays;

/**
 * The segments of one partition log, ordered by base offset, contiguous (each ends where the next begins), the
 * last one active. Readers look segments up without locking through an immutable array that writers replace
 * (copy-on-write; segments change only on roll, truncation and retention). Mutations are made under the log's
 * append lock. Thread-safe.
 */
final class LogSegments {
    private static final int RETAIN_ATTEMPTS = 16;
    private volatile LogSegment[] segments = new LogSegment[0];

    /** The current segments, oldest first. Do not modify the array. */
    LogSegment[] snapshot() {
        return segments;
    }

    int count() {
        return segments.length;
    }

    boolean isEmpty() {
        return segments.length == 0;
    }

    /** The active (last) segment, or null. */
    LogSegment active() {
        LogSegment[] s = segments;
        return s.length == 0 ? null : s[s.length - 1];
    }

    LogSegment first() {
        LogSegment[] s = segments;
        return s.length == 0 ? null : s[0];
    }

    /**
     * The segment whose range holds {@code offset} (the last one with a base offset at or below it), with a
     * reference taken for the caller to release; null if there is none.
     */
    LogSegment retainFloor(long offset) {
        for (int attempt = 0; attempt < RETAIN_ATTEMPTS; attempt++) {
            LogSegment s = floor(segments, offset);
            if (s == null) {
                return null;
            }
            if (s.retain()) {
                return s;
            }
            Thread.onSpinWait();
        }
        return null;
    }

    /** The segment whose range holds {@code offset} in {@code segs}, or null. */
    static LogSegment floor(LogSegment[] segs, long offset) {
        int lo = 0;
        int hi = segs.length - 1;
        LogSegment found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (segs[mid].baseOffset() <= offset) {
                found = segs[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Adds a segment after the last one. */
    void add(LogSegment segment) {
        LogSegment[] s = segments;
        if (s.length > 0 && s[s.length - 1].baseOffset() >= segment.baseOffset()) {
            throw new IllegalStateException("segment " + segment + " does not follow " + s[s.length - 1]);
        }
        LogSegment[] next = Arrays.copyOf(s, s.length + 1);
        next[s.length] = segment;
        segments = next;
    }

    /** Removes and returns the first {@code n} segments. */
    LogSegment[] removeFirst(int n) {
        LogSegment[] s = segments;
        segments = Arrays.copyOfRange(s, n, s.length);
        return Arrays.copyOfRange(s, 0, n);
    }

    /** Removes and returns the segments with a base offset at or above {@code offset}. */
    LogSegment[] removeFrom(long offset) {
        LogSegment[] s = segments;
        int keep = 0;
        while (keep < s.length && s[keep].baseOffset() < offset) {
            keep++;
        }
        segments = Arrays.copyOf(s, keep);
        return Arrays.copyOfRange(s, keep, s.length);
    }

    /** Removes and returns every segment. */
    LogSegment[] clear() {
        LogSegment[] s = segments;
        segments = new LogSegment[0];
        return s;
    }

    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments) {
            total += s.sizeInBytes();
        }
        return total;
    }
}
