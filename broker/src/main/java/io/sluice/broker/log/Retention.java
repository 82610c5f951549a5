package io.sluice.broker.log;

/**
 * Chooses the segments retention deletes: the longest prefix of segments, excluding the active one and any not
 * wholly below the high watermark, in which each segment is either older than retention.ms (its newest record
 * timestamp is) or not needed to keep the log at retention.bytes. Stateless; thread-safe.
 */
final class Retention {
    private Retention() {
    }

    /** How many of the oldest {@code segments} retention deletes at {@code nowMs}. */
    static int deletableCount(LogSegment[] segments, LogConfig config, long nowMs, long highWatermark) {
        long retentionMs = config.retentionMs();
        long retentionBytes = config.retentionBytes();
        if (retentionMs < 0 && retentionBytes < 0) {
            return 0;
        }
        long total = 0;
        for (LogSegment s : segments) {
            total += s.sizeInBytes();
        }
        int n = 0;
        for (int i = 0; i < segments.length - 1; i++) {
            LogSegment s = segments[i];
            if (s.endOffset() > highWatermark) {
                break;
            }
            boolean expired = retentionMs >= 0 && s.maxTimestamp() < nowMs - retentionMs;
            boolean surplus = retentionBytes >= 0 && total - s.sizeInBytes() >= retentionBytes;
            if (!expired && !surplus) {
                break;
            }
            total -= s.sizeInBytes();
            n++;
        }
        return n;
    }
}
