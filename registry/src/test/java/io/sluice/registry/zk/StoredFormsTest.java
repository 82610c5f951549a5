package io.sluice.registry.zk;

import io.protostuff.Tag;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the forms Sluice stores in ZooKeeper, as {@code ProtocolSchemaTest} pins the wire: every stored class's field
 * tags, the format byte, and the exact bytes of a sample node. A cluster upgraded in place reads the nodes an older
 * version wrote (topics, partition states, providers, the controller), so a renumbered tag or a changed encoding
 * must fail the build. Fields may be added under new tags (pin them here too).
 */
class StoredFormsTest {
    private static final Map<Class<?>, Map<String, Integer>> PINNED = new LinkedHashMap<>();

    static {
        pin(StoredForms.TopicNode.class, "name", 1, "partitions", 2, "replicationFactor", 3, "configs", 4,
                "assignment", 5, "topicId", 6, "statesPerChunk", 7);
        pin(StoredForms.Replicas.class, "brokers", 1);
        pin(StoredForms.StateNode.class, "leader", 1, "leaderEpoch", 2, "isr", 3, "version", 4);
        pin(StoredForms.StateChunk.class, "first", 1, "states", 2);
        pin(StoredForms.ProviderNode.class, "serviceKey", 1, "instanceId", 2, "host", 3, "port", 4, "weight", 5,
                "version", 6, "group", 7, "startedAtMs", 8, "metadata", 9);
        pin(StoredForms.ConsumerNode.class, "consumerId", 1, "metadata", 2);
        pin(StoredForms.LeaderNode.class, "participantId", 1, "epoch", 2);
        pin(StoredForms.EpochNode.class, "epoch", 1);
    }

    private static void pin(Class<?> type, Object... nameTagPairs) {
        Map<String, Integer> tags = new LinkedHashMap<>();
        for (int i = 0; i < nameTagPairs.length; i += 2) {
            tags.put((String) nameTagPairs[i], (Integer) nameTagPairs[i + 1]);
        }
        PINNED.put(type, tags);
    }

    private static Map<String, Integer> tags(Class<?> type) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Tag tag = f.getAnnotation(Tag.class);
            assertThat(tag).as("%s.%s has no @Tag", type.getSimpleName(), f.getName()).isNotNull();
            out.put(f.getName(), tag.value());
        }
        return out;
    }

    @Test
    void everyStoredClassIsPinnedWithItsTags() {
        for (Class<?> type : StoredForms.class.getDeclaredClasses()) {
            assertThat(PINNED).as("%s is stored in ZooKeeper but not pinned here", type.getSimpleName())
                    .containsKey(type);
            assertThat(tags(type)).as("the @Tags of %s (renumbering breaks nodes already written)",
                    type.getSimpleName()).isEqualTo(PINNED.get(type));
        }
        assertThat(Codec.FORMAT_V1).isEqualTo((byte) 1);
    }

    /** The bytes of a topic node as this version writes them, and that they read back whole. */
    @Test
    void aTopicNodeEncodesToPinnedBytes() {
        StoredForms.TopicNode node = new StoredForms.TopicNode();
        node.name = "orders";
        node.partitions = 2;
        node.replicationFactor = 1;
        node.configs = new LinkedHashMap<>(Map.of("retention.ms", "60000"));
        StoredForms.Replicas p0 = new StoredForms.Replicas();
        p0.brokers = List.of(0);
        StoredForms.Replicas p1 = new StoredForms.Replicas();
        p1.brokers = List.of(1);
        node.assignment = List.of(p0, p1);
        node.topicId = "t1";
        node.statesPerChunk = 100;
        byte[] bytes = Codec.encode(node);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(PINNED_TOPIC_NODE);
        StoredForms.TopicNode back = Codec.decode(bytes, StoredForms.TopicNode.class, "/topics/orders");
        assertThat(back).usingRecursiveComparison().isEqualTo(node);
    }

    /** Format byte 1, then protostuff: name, partitions, replicationFactor, configs, assignment, topicId, chunk. */
    private static final String PINNED_TOPIC_NODE = "010a066f726465727310021801230b0a0c726574656e74696f6e2e6d7312053630"
            + "3030300c242b08002c2b08012c320274313864";
}
