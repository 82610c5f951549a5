package io.sluice.broker.server;

import io.sluice.broker.partition.PartitionAssignment;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.registry.TopicStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the topic metadata in the registry and applies it to this broker's partitions: opens logs of newly
 * assigned partitions, updates leadership and in-sync sets, and deletes topics removed from the registry. Only topics
 * that changed since they were last applied are applied again, so one partition's change costs its topic, not every
 * partition of the broker.
 */
final class TopicAssignmentsWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicAssignmentsWatcher.class);

    private final TopicStore topics;
    private final PartitionManager partitions;
    private final Runnable afterApply;
    /** The last failure logged per topic, so that a topic that keeps failing is logged once, not per notification. */
    private final Map<String, String> lastFailure = new HashMap<>();
    /** The metadata last applied per topic: a topic that did not change since is not applied again. */
    private final Map<String, TopicMetadata> applied = new HashMap<>();
    private AutoCloseable subscription;

    /** {@code afterApply} runs after each snapshot is applied (replication follows the new roles). */
    TopicAssignmentsWatcher(TopicStore topics, PartitionManager partitions, Runnable afterApply) {
        this.topics = topics;
        this.partitions = partitions;
        this.afterApply = afterApply;
    }

    void start() {
        apply(topics.snapshot());
        subscription = topics.watch(this::apply);
    }

    private synchronized void apply(Map<String, TopicMetadata> snapshot) {
        for (TopicMetadata topic : snapshot.values()) {
            TopicMetadata last = applied.get(topic.name());
            if (last == topic || topic.equals(last)) {
                continue; // unchanged (the registry keeps the same instance for a topic none of whose nodes changed)
            }
            try {
                List<PartitionAssignment> assignments = new ArrayList<>(topic.partitionStates().size());
                for (PartitionState state : topic.partitionStates()) {
                    assignments.add(new PartitionAssignment(state.partition(), state.replicas(), state.leader(),
                            state.leaderEpoch(), state.isr(), state.version()));
                }
                partitions.applyTopic(topic.name(), topic.topicId(), topic.configs(), assignments);
                applied.put(topic.name(), topic);
                lastFailure.remove(topic.name());
            } catch (RuntimeException e) {
                applied.remove(topic.name());
                if (!String.valueOf(e).equals(lastFailure.put(topic.name(), String.valueOf(e)))) {
                    log.error("Could not apply the assignment of topic {} (logged again only if it fails differently)",
                            topic.name(), e);
                } else {
                    log.debug("Could not apply the assignment of topic {}: {}", topic.name(), e.toString());
                }
            }
        }
        lastFailure.keySet().retainAll(snapshot.keySet());
        applied.keySet().retainAll(snapshot.keySet());
        partitions.retainTopics(snapshot.keySet());
        try {
            afterApply.run();
        } catch (RuntimeException e) {
            log.error("Could not bring replication in line with the assignments", e);
        }
    }

    @Override
    public void close() throws Exception {
        if (subscription != null) {
            subscription.close();
        }
    }
}
