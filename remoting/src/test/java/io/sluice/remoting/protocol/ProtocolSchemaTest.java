package io.sluice.remoting.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.protostuff.Tag;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.codec.MessageCodec;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Pins the protocol: every message's field tags, every api id and every error id. Old peers decode by these numbers,
 * so a renumbering must fail the build. Fields may be added under NEW tags (add them here too); a new message class
 * must be pinned here before it ships.
 */
class ProtocolSchemaTest {
    private static final Map<Class<?>, Map<String, Integer>> PINNED = new LinkedHashMap<>();

    static {
        pin(BrokerInfo.class, "id", 1, "host", 2, "port", 3, "rack", 4, "startedAtMs", 5, "storageState", 6,
                "storageDetail", 7);
        pin(CommittedOffset.class, "topic", 1, "partition", 2, "offset", 3, "commitTimeMs", 4);
        pin(CreateTopicRequest.class, "topic", 1, "partitions", 2, "replicationFactor", 3, "configs", 4);
        pin(CreateTopicResponse.class, "route", 1);
        pin(DeleteTopicRequest.class, "topic", 1);
        pin(DescribeClusterResponse.class, "brokers", 1, "controller", 2, "controllerEpoch", 3, "underReplicated", 4,
                "offline", 5, "routeVersion", 6, "registry", 10);
        pin(DescribeGroupRequest.class, "groupId", 1);
        pin(DescribeGroupResponse.class, "groupId", 1, "state", 2, "generation", 3, "assignor", 4, "members", 5);
        pin(GroupMemberDescription.class, "memberId", 1, "clientId", 2, "host", 3, "assignment", 4);
        pin(GroupSummary.class, "groupId", 1, "state", 2, "memberCount", 3, "generation", 4);
        pin(ListGroupsResponse.class, "groups", 1);
        pin(RegistryState.class, "state", 1, "sinceMs", 2, "forMs", 3, "connectString", 4);
        pin(Empty.class);
        pin(ErrorResponse.class, "code", 1, "message", 2);
        pin(FetchRequest.class, "replicaId", 1, "maxWaitMs", 2, "minBytes", 3, "maxBytes", 4, "sessionId", 5,
                "sessionEpoch", 6, "partitions", 7, "forgotten", 8);
        pin(FetchPartition.class, "topic", 1, "partition", 2, "fetchOffset", 3, "partitionMaxBytes", 4,
                "currentLeaderEpoch", 5);
        pin(FetchResponse.class, "sessionId", 1, "partitions", 2);
        pin(FetchedPartition.class, "topic", 1, "partition", 2, "errorCode", 3, "errorMessage", 4,
                "highWatermark", 5, "logStartOffset", 6, "logEndOffset", 7, "leaderEpoch", 8, "recordsBytes", 9);
        pin(GroupHeartbeatRequest.class, "groupId", 1, "memberId", 2, "generation", 3);
        pin(GroupPartitions.class, "topic", 1, "partitions", 2);
        pin(JoinGroupRequest.class, "groupId", 1, "memberId", 2, "clientId", 3, "topics", 4, "sessionTimeoutMs", 5,
                "rebalanceTimeoutMs", 6, "assignor", 7, "groupInstanceId", 8, "assignors", 9, "owned", 10,
                "ownedGeneration", 11);
        pin(JoinGroupResponse.class, "generation", 1, "memberId", 2, "leaderId", 3, "assignment", 4,
                "memberCount", 5, "assignor", 6);
        pin(LeaveGroupRequest.class, "groupId", 1, "memberId", 2);
        pin(OffsetCommitRequest.class, "groupId", 1, "memberId", 2, "generation", 3, "offsets", 4);
        pin(OffsetFetchRequest.class, "groupId", 1, "topics", 2);
        pin(OffsetFetchResponse.class, "offsets", 1);
        pin(OffsetsForLeaderEpochRequest.class, "topic", 1, "partition", 2, "leaderEpoch", 3,
                "currentLeaderEpoch", 4, "replicaId", 5);
        pin(OffsetsForLeaderEpochResponse.class, "leaderEpoch", 1, "endOffset", 2, "logStartOffset", 3,
                "logEndOffset", 4);
        pin(GetRoutesRequest.class, "topics", 1, "namesOnly", 2);
        pin(GetRoutesResponse.class, "version", 1, "topics", 2, "brokers", 3, "unknownTopics", 4,
                "topicNames", 5);
        pin(ListOffsetsRequest.class, "partitions", 4);
        pin(ListOffsetsPartition.class, "topic", 1, "partition", 2, "timestamp", 3);
        pin(ListOffsetsResponse.class, "partitions", 3);
        pin(ListOffsetsPartitionResult.class, "topic", 1, "partition", 2, "errorCode", 3, "errorMessage", 4,
                "offset", 5, "timestamp", 6);
        pin(PartitionRoute.class, "partition", 1, "leader", 2, "leaderEpoch", 3, "replicas", 4, "isr", 5);
        pin(PartitionLogState.class, "partition", 1, "logStartOffset", 2, "logEndOffset", 3, "highWatermark", 4,
                "leaderEpoch", 5, "sizeBytes", 6, "leader", 7, "replicas", 8);
        pin(PartitionStatesRequest.class, "topic", 1);
        pin(PartitionStatesResponse.class, "partitions", 1);
        // protocol version 2: one request carries many partitions (version 1's single-partition form is refused)
        pin(ProduceRequest.class, "acks", 1, "timeoutMs", 2, "partitions", 3);
        pin(ProducePartition.class, "topic", 1, "partition", 2, "batchBytes", 3);
        pin(ProduceResponse.class, "partitions", 1);
        pin(ProducePartitionResult.class, "topic", 1, "partition", 2, "errorCode", 3, "errorMessage", 4,
                "baseOffset", 5, "logAppendTimeMs", 6, "logStartOffset", 7);
        pin(RpcRequest.class, "service", 1, "version", 2, "group", 3, "method", 4, "parameterTypes", 5,
                "timeoutMs", 6, "attachments", 7);
        pin(ReplicaState.class, "replica", 1, "logEndOffset", 2, "lagMs", 3);
        pin(RpcResponse.class, "hasValue", 1);
        pin(TopicRoute.class, "topic", 1, "partitions", 2, "replicationFactor", 3, "configs", 4);
    }

    private static void pin(Class<?> type, Object... nameTagPairs) {
        Map<String, Integer> tags = new LinkedHashMap<>();
        for (int i = 0; i < nameTagPairs.length; i += 2) {
            tags.put((String) nameTagPairs[i], (Integer) nameTagPairs[i + 1]);
        }
        PINNED.put(type, tags);
    }

    @Test
    void protocolVersionIsPinned() {
        // the messages above are those of version 2; changing them incompatibly means a new version
        assertThat(io.sluice.remoting.transport.FrameLayout.VERSION).isEqualTo((byte) 2);
    }

    @Test
    void apiIdsArePinned() {
        Map<String, Integer> expected = pairs("HEARTBEAT", 0, "PRODUCE", 1, "FETCH", 2, "LIST_OFFSETS", 3,
                "PARTITION_STATES", 4, "OFFSETS_FOR_LEADER_EPOCH", 5, "GET_ROUTES", 10, "CREATE_TOPIC", 11,
                "DELETE_TOPIC", 12, "DESCRIBE_CLUSTER", 13, "JOIN_GROUP", 20,
                "GROUP_HEARTBEAT", 21, "LEAVE_GROUP", 22, "OFFSET_COMMIT", 23, "OFFSET_FETCH", 24, "LIST_GROUPS", 25,
                "DESCRIBE_GROUP", 26, "RPC_INVOKE", 40);
        expected.forEach((name, id) -> {
            assertThat(ApiKey.valueOf(name).id()).as("id of ApiKey.%s", name).isEqualTo(id.shortValue());
            assertThat(ApiKey.forId(id)).isEqualTo(ApiKey.valueOf(name));
        });
        assertThat(ApiKey.forId(63)).isNull();
        assertThat(ApiKey.forId(-1)).isNull();
        assertThat(ApiKey.forId(10_000)).isNull();
    }

    @Test
    void errorIdsArePinned() {
        Map<String, Integer> expected = pairs("NONE", 0, "UNKNOWN", 1, "MALFORMED_FRAME", 100,
                "UNSUPPORTED_VERSION", 101, "FRAME_TOO_LARGE", 102, "UNSUPPORTED_API", 103, "TOO_MANY_IN_FLIGHT", 104,
                "REQUEST_TIMED_OUT", 105, "NETWORK_ERROR", 106, "INVALID_REQUEST", 107, "UNKNOWN_TOPIC", 200,
                "UNKNOWN_PARTITION", 201, "NOT_LEADER", 202, "LEADER_NOT_AVAILABLE", 203, "TOPIC_ALREADY_EXISTS", 204,
                "INVALID_TOPIC", 205, "INVALID_PARTITIONS", 206, "INVALID_REPLICATION_FACTOR", 207,
                "RECORD_TOO_LARGE", 208, "CORRUPT_RECORD", 209, "OFFSET_OUT_OF_RANGE", 210, "NOT_ENOUGH_REPLICAS", 211,
                "NOT_ENOUGH_REPLICAS_AFTER_APPEND", 212, "STORAGE_ERROR", 213, "FENCED_LEADER_EPOCH", 214,
                "STALE_CONTROLLER_EPOCH", 215, "BUFFER_EXHAUSTED", 216, "CLIENT_CLOSED", 217,
                "BROKER_NOT_AVAILABLE", 218, "STORAGE_FULL", 219, "FETCH_SESSION_ID_NOT_FOUND", 230,
                "INVALID_FETCH_SESSION_EPOCH", 231, "COORDINATOR_NOT_AVAILABLE", 300,
                "NOT_COORDINATOR", 301,
                "ILLEGAL_GENERATION", 302, "UNKNOWN_MEMBER", 303, "REBALANCE_IN_PROGRESS", 304, "GROUP_NOT_EMPTY", 305, "INCONSISTENT_GROUP_PROTOCOL", 306,
                "NO_PROVIDER", 400, "SERVICE_NOT_FOUND", 401, "METHOD_NOT_FOUND", 402, "PROVIDER_BUSY", 403,
                "SERIALIZATION_ERROR", 404, "CLASS_NOT_ALLOWED", 405, "REMOTE_EXCEPTION", 406, "CIRCUIT_OPEN", 407,
                "PROVIDER_SHUTTING_DOWN", 408, "MALFORMED_PAYLOAD", 409, "PROVIDER_OUT_OF_MEMORY", 410,
                "INVALID_CONFIG", 500, "PORT_IN_USE", 501,
                "DATA_DIR_NOT_WRITABLE", 502, "REGISTRY_UNAVAILABLE", 503);
        expected.forEach((name, id) -> {
            assertThat(ErrorCode.valueOf(name).id()).as("id of ErrorCode.%s", name).isEqualTo(id.shortValue());
            assertThat(ErrorCode.forId(id)).isEqualTo(ErrorCode.valueOf(name));
        });
        assertThat(ErrorCode.forId(599)).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.forId(-3)).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.forId(70_000)).isEqualTo(ErrorCode.UNKNOWN);
    }

    @Test
    void fieldTagsArePinnedAndNeverReused() {
        for (Class<?> type : messageClasses()) {
            Map<String, Integer> pinned = PINNED.get(type);
            if (pinned == null) {
                fail("%s is a protocol message but its tags are not pinned: add pin(%s.class, ...) to %s",
                        type.getName(), type.getSimpleName(), getClass().getSimpleName());
            }
            Map<String, Integer> actual = tags(type);
            pinned.forEach((field, tag) -> assertThat(actual.get(field))
                    .as("@Tag of %s.%s (renumbering breaks old peers)", type.getSimpleName(), field).isEqualTo(tag));
            Set<Integer> seen = new HashSet<>();
            actual.forEach((field, tag) -> {
                assertThat(seen.add(tag)).as("tag %d used twice in %s", tag, type.getSimpleName()).isTrue();
                if (!pinned.containsKey(field)) {
                    assertThat(pinned.containsValue(tag)).as("new field %s.%s reuses pinned tag %d",
                            type.getSimpleName(), field, tag).isFalse();
                }
            });
        }
    }

    @Test
    void everyMessageRoundTripsThroughTheCodec() throws Exception {
        for (Class<?> type : messageClasses()) {
            Object original = sample(type, 1);
            ByteBuf buf = Unpooled.buffer();
            try {
                MessageCodec.encode(original, buf);
                Object decoded = MessageCodec.decode(type, buf);
                assertThat(decoded).as(type.getSimpleName()).usingRecursiveComparison().isEqualTo(original);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void anEmptyBodyDecodesToDefaults() {
        for (Class<?> type : messageClasses()) {
            Object decoded = MessageCodec.decode(type, Unpooled.EMPTY_BUFFER);
            assertThat(decoded).isInstanceOf(type);
        }
    }

    /** Every request and response class of every api, the error body, and the classes nested in them. */
    private static Set<Class<?>> messageClasses() {
        Set<Class<?>> out = new LinkedHashSet<>();
        List<Class<?>> todo = new ArrayList<>();
        todo.add(ErrorResponse.class);
        for (ApiKey key : ApiKey.values()) {
            todo.add(key.requestType());
            todo.add(key.responseType());
        }
        while (!todo.isEmpty()) {
            Class<?> type = todo.remove(todo.size() - 1);
            if (!out.add(type)) {
                continue;
            }
            for (Field field : instanceFields(type)) {
                Class<?> element = elementType(field);
                if (element.getPackage() == ApiKey.class.getPackage()) {
                    todo.add(element);
                }
            }
        }
        return out;
    }

    private static List<Field> instanceFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) && !Modifier.isTransient(field.getModifiers())) {
                fields.add(field);
            }
        }
        return fields;
    }

    private static Map<String, Integer> tags(Class<?> type) {
        Map<String, Integer> tags = new LinkedHashMap<>();
        for (Field field : instanceFields(type)) {
            Tag tag = field.getAnnotation(Tag.class);
            assertThat(tag).as("%s.%s has no @Tag", type.getSimpleName(), field.getName()).isNotNull();
            tags.put(field.getName(), tag.value());
        }
        return tags;
    }

    private static Class<?> elementType(Field field) {
        Type generic = field.getGenericType();
        if (List.class.isAssignableFrom(field.getType()) && generic instanceof ParameterizedType p) {
            return (Class<?>) p.getActualTypeArguments()[0];
        }
        return field.getType();
    }

    /** An instance whose every field holds a non-default value derived from {@code seed}. */
    private static Object sample(Class<?> type, int seed) throws Exception {
        Object message = type.getDeclaredConstructor().newInstance();
        int n = seed;
        for (Field field : instanceFields(type)) {
            n++;
            field.set(message, sampleValue(field, n));
        }
        return message;
    }

    private static Object sampleValue(Field field, int n) throws Exception {
        Class<?> t = field.getType();
        if (t == String.class) {
            return field.getName() + "-" + n + "-é";
        } else if (t == int.class) {
            return -n * 1_000_003;
        } else if (t == long.class) {
            return (long) n * 10_000_000_019L;
        } else if (t == short.class) {
            return (short) (n * 31);
        } else if (t == boolean.class) {
            return true;
        } else if (t == List.class) {
            Class<?> element = elementType(field);
            if (element == String.class) {
                return new ArrayList<>(List.of("a" + n, "b" + n));
            } else if (element == Integer.class) {
                return new ArrayList<>(List.of(n, -n, 0));
            }
            return new ArrayList<>(List.of(sample(element, n), sample(element, n + 100)));
        } else if (t == Map.class) {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("k" + n, "v" + n);
            map.put("retention.ms", "1000");
            return map;
        } else if (t.getPackage() == ApiKey.class.getPackage()) {
            return sample(t, n);
        }
        throw new AssertionError("no sample for " + field + ": extend sampleValue");
    }

    private static Map<String, Integer> pairs(Object... namesAndIds) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndIds.length; i += 2) {
            map.put((String) namesAndIds[i], (Integer) namesAndIds[i + 1]);
        }
        return map;
    }
}
