package io.sluice.remoting.protocol;

/**
 * Every request type of the Sluice protocol, with its stable wire id and the message classes of its request and
 * response bodies. This enum and the message classes in this package are the protocol's schema: the protostuff
 * {@code @Tag}s of the message classes are pinned by {@code ProtocolSchemaTest}, so fields may be added under new
 * tags but never renumbered.
 *
 * <p>Ids: 0-9 transport and data path, 10-19 routes and admin, 20-39 consumer groups, 40-49 RPC.
 */
public enum ApiKey {
    /** Keep-alive ping on an idle connection; the answer is an empty response. */
    HEARTBEAT(0, Empty.class, Empty.class),
    PRODUCE(1, ProduceRequest.class, ProduceResponse.class),
    FETCH(2, FetchRequest.class, FetchResponse.class),
    LIST_OFFSETS(3, ListOffsetsRequest.class, ListOffsetsResponse.class),
    PARTITION_STATES(4, PartitionStatesRequest.class, PartitionStatesResponse.class),
    /** A follower asks its leader where an epoch ended, to truncate a diverging log. */
    OFFSETS_FOR_LEADER_EPOCH(5, OffsetsForLeaderEpochRequest.class, OffsetsForLeaderEpochResponse.class),
    GET_ROUTES(10, GetRoutesRequest.class, GetRoutesResponse.class),
    CREATE_TOPIC(11, CreateTopicRequest.class, CreateTopicResponse.class),
    DELETE_TOPIC(12, DeleteTopicRequest.class, Empty.class),
    /** Live brokers, the controller and its epoch, under-replicated and offline partitions (empty request). */
    DESCRIBE_CLUSTER(13, Empty.class, DescribeClusterResponse.class),
    /** Join a consumer group; parked by the coordinator until the rebalance completes. */
    JOIN_GROUP(20, JoinGroupRequest.class, JoinGroupResponse.class),
    GROUP_HEARTBEAT(21, GroupHeartbeatRequest.class, Empty.class),
    LEAVE_GROUP(22, LeaveGroupRequest.class, Empty.class),
    OFFSET_COMMIT(23, OffsetCommitRequest.class, Empty.class),
    OFFSET_FETCH(24, OffsetFetchRequest.class, OffsetFetchResponse.class),
    /** The groups this broker coordinates (the request body is empty). */
    LIST_GROUPS(25, Empty.class, ListGroupsResponse.class),
    DESCRIBE_GROUP(26, DescribeGroupRequest.class, DescribeGroupResponse.class),
    RPC_INVOKE(40, RpcRequest.class, RpcResponse.class);

    private static final ApiKey[] BY_ID = new ApiKey[64];

    static {
        for (ApiKey key : values()) {
            if (BY_ID[key.id] != null) {
                throw new ExceptionInInitializerError("duplicate api id " + key.id);
            }
            BY_ID[key.id] = key;
        }
    }

    private final short id;
    private final Class<?> requestType;
    private final Class<?> responseType;

    ApiKey(int id, Class<?> requestType, Class<?> responseType) {
        this.id = (short) id;
        this.requestType = requestType;
        this.responseType = responseType;
    }

    public short id() {
        return id;
    }

    public Class<?> requestType() {
        return requestType;
    }

    public Class<?> responseType() {
        return responseType;
    }

    /** The key for a wire id, or null if this version does not know it. */
    public static ApiKey forId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
