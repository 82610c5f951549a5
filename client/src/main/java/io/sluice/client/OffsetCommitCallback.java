package io.sluice.client;

import java.util.Map;

/** The outcome of {@code commitAsync}: the offsets committed, or the error (null on success). */
@FunctionalInterface
public interface OffsetCommitCallback {
    void onComplete(Map<TopicPartition, Long> offsets, Exception error);
}
