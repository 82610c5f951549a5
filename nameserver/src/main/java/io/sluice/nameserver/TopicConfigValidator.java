package io.sluice.nameserver;

import io.sluice.registry.TopicConfigs;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.Map;

/**
 * Checks a new topic's configs before it is created, so a typo or a value no broker could apply is refused with
 * INVALID_CONFIG naming the key instead of surfacing later on every broker. Each value is checked by its
 * {@link TopicConfigs} declaration, the same code the broker applies it with; an unknown key is named with the
 * closest known one. On top of that, the settings must fit the topic ({@code min.insync.replicas} at most the
 * replication factor).
 */
final class TopicConfigValidator {
    private TopicConfigValidator() {
    }

    /** {@code configs} may be null. */
    static void validate(Map<String, String> configs, int replicationFactor) {
        TopicConfigs.validate(configs);
        String minIsr = configs == null ? null : configs.get(TopicConfigs.MIN_INSYNC_REPLICAS.name());
        if (minIsr != null && TopicConfigs.MIN_INSYNC_REPLICAS.parse(minIsr) > replicationFactor) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "min.insync.replicas=" + minIsr.trim()
                    + " is larger than the replication factor " + replicationFactor
                    + ": acks=all writes could never succeed");
        }
    }
}
