package io.sluice.client;

import java.util.Map;
import java.util.Objects;

/**
 * A topic to create with {@link Admin#createTopic}. Immutable.
 *
 * @param name              the topic name (letters, digits, '.', '_', '-'; at most 200 characters)
 * @param partitions        the partition count, at least 1
 * @param replicationFactor copies of each partition, at least 1 and at most the live brokers
 * @param configs           per-topic settings (e.g. {@code retention.ms}), never null
 */
public record NewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    public NewTopic {
        Objects.requireNonNull(name, "name");
        configs = configs == null ? Map.of() : Map.copyOf(configs);
    }

    /** A topic without per-topic settings. */
    public NewTopic(String name, int partitions, int replicationFactor) {
        this(name, partitions, replicationFactor, Map.of());
    }
}
