package io.sluice.broker.group;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Expires the committed offsets of groups that have no members, like Kafka's {@code offsets.retention.ms}: an
 * offset goes once the retention has passed both since it was committed and since the group last had members. The
 * latter is as this coordinator saw it, at its checks; a group it never saw with members counts from the first check
 * that found it (so a coordinator that just took over never expires a group at once). Expired offsets are tombstoned
 * in the offsets topic and dropped from the cache ({@link OffsetCache#expire}), so a coordinator that rebuilds the
 * cache from the log does not bring them back. Broadcast consumers' offsets ({@code group@instance}) are groups
 * without members and expire the same way once their consumer stops committing.
 *
 * <p>Runs on the coordinator's timer thread only (not thread-safe). Each group is checked and expired under its
 * {@link ConsumerGroup} lock, the lock commits take, so a member joining meanwhile either keeps the offsets or finds
 * them gone; a group with a commit still waiting for replication is left for the next check, so an acknowledged
 * commit is never tombstoned.
 */
final class OffsetExpirer {
    private static final Logger log = LoggerFactory.getLogger(OffsetExpirer.class);

    private final long retentionMs;
    private final long checkIntervalMs;
    /** Group -> the last check at which it had members, or the first check that saw it. */
    private final Map<String, Long> lastActiveMs = new HashMap<>();
    private long nextCheckMs = Long.MIN_VALUE;

    OffsetExpirer(long retentionMs, long checkIntervalMs) {
        this.retentionMs = retentionMs;
        this.checkIntervalMs = checkIntervalMs;
    }

    /**
     * Checks the groups of {@code caches} when a check is due; {@code groupFor} gives (creating if needed) the group
     * object whose lock guards a group's commits. Returns the number of offsets expired.
     */
    int maybeExpire(long nowMs, Iterable<OffsetCache> caches, BiFunction<String, OffsetCache, ConsumerGroup> groupFor) {
        if (nowMs < nextCheckMs) {
            return 0;
        }
        nextCheckMs = nowMs + checkIntervalMs;
        int expired = 0;
        Map<String, Long> seen = new HashMap<>();
        for (OffsetCache cache : caches) {
            cache.forgetExpiredMarkers(nowMs);
            for (String groupId : cache.groups()) {
                ConsumerGroup group = groupFor.apply(groupId, cache);
                synchronized (group) {
                    long active = group.memberCount() > 0 ? nowMs : lastActiveMs.getOrDefault(groupId, nowMs);
                    seen.put(groupId, active);
                    List<TopicPart> gone = expired(cache.offsets(groupId), active, nowMs, retentionMs);
                    if (cache.expire(groupId, gone, nowMs)) {
                        expired += gone.size();
                        log.info("Group {}: {} committed offset(s) expired after {} ms without members: {}", groupId,
                                gone.size(), retentionMs, gone);
                    }
                }
            }
        }
        lastActiveMs.clear();
        lastActiveMs.putAll(seen);
        return expired;
    }

    /**
     * The offsets ({@code partition -> {offset, commitTimeMs, ...}}) whose commit and the group's last activity
     * ({@code lastActiveMs}) are both more than {@code retentionMs} before {@code nowMs}.
     */
    static List<TopicPart> expired(Map<TopicPart, long[]> offsets, long lastActiveMs, long nowMs, long retentionMs) {
        List<TopicPart> out = new ArrayList<>();
        if (nowMs - lastActiveMs <= retentionMs) {
            return out;
        }
        offsets.forEach((tp, v) -> {
            if (nowMs - v[1] > retentionMs) {
                out.add(tp);
            }
        });
        return out;
    }
}
