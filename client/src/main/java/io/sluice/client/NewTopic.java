package io.sluice.client;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.Map;
import java.util.Objects;

/**
 * A topic to create with {@link Admin#createTopic}. Immutable.
 *
 * @param name              the topic name (letters, digits, '.', '_', '-'; at most 200 characters)
 * @param partitions        the partition count, at least 1, or {@link #DEFAULT} for the nameserver's
 *                          ({@code sluice.nameserver.default.partitions})
 * @param replicationFactor copies of each partition, at least 1 and at most the live brokers, or {@link #DEFAULT}
 *                          (1)
 * @param configs           per-topic settings (e.g. {@code retention.ms}), never null
 * @throws SluiceException INVALID_PARTITIONS or INVALID_REPLICATION_FACTOR for a count below 1 (other than
 *                         {@link #DEFAULT})
 */
public record NewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    /** A partition count or replication factor left to the nameserver. */
    public static final int DEFAULT = -1;

    public NewTopic {
        Objects.requireNonNull(name, "name");
        configs = configs == null ? Map.of() : Map.copyOf(configs);
        if (partitions < 1 && partitions != DEFAULT) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "topic '" + name + "': partitions must be at"
                    + " least 1, not " + partitions);
        }
        if (replicationFactor < 1 && replicationFactor != DEFAULT) {
            throw new SluiceException(ErrorCode.INVALID_REPLICATION_FACTOR, "topic '" + name + "': replication"
                    + " factor must be at least 1, not " + replicationFactor);
        }
    }

    /** A topic without per-topic settings. */
    public NewTopic(String name, int partitions, int replicationFactor) {
        this(name, partitions, replicationFactor, Map.of());
    }

    /** A topic with the nameserver's default partition count and replication factor, without per-topic settings. */
    public static NewTopic withDefaults(String name) {
        return new NewTopic(name, DEFAULT, DEFAULT);
    }
}
