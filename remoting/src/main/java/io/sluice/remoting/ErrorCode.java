package io.sluice.remoting;

/**
 * The closed vocabulary of errors shared by the broker, the nameserver, the clients and the RPC module.
 *
 * <p>Each code has a stable numeric id used on the wire, a default message a person can act on, and retry advice:
 * {@link #retriable()} says the same request may succeed if sent again (after a backoff), {@link #refreshRoutes()}
 * says the caller should fetch routes from a nameserver before retrying. Any id this version does not know maps to
 * {@link #UNKNOWN} (see {@link #forId(int)}).
 */
public enum ErrorCode {
    /** Success. */
    NONE(0, false, false, "no error"),
    /** An unexpected error on the server; the message says what. Do not retry blindly. */
    UNKNOWN(1, false, false, "unexpected server error"),

    // ---- transport (1xx) ----
    /** A frame could not be parsed (bad magic, bad length, undecodable body). The connection is closed. Do not retry. */
    MALFORMED_FRAME(100, false, false, "malformed frame"),
    /** The peer speaks a protocol version this process does not support. Upgrade one side. */
    UNSUPPORTED_VERSION(101, false, false, "unsupported protocol version"),
    /** A frame is larger than the configured maximum frame size. Send less per request or raise the limit. */
    FRAME_TOO_LARGE(102, false, false, "frame larger than the maximum frame size"),
    /** The request type is not served by this process (e.g. a produce request sent to a nameserver). */
    UNSUPPORTED_API(103, false, false, "request type not served here"),
    /** The connection has too many requests in flight. Retry after a backoff. */
    TOO_MANY_IN_FLIGHT(104, true, false, "too many requests in flight on this connection"),
    /** No answer came within the request timeout. Retry only if the request is idempotent. */
    REQUEST_TIMED_OUT(105, true, false, "request timed out"),
    /** The connection failed or closed before an answer came. Retry (routes may have changed). */
    NETWORK_ERROR(106, true, true, "network error"),
    /** The request was well formed but its fields are invalid; the message names the field. Do not retry. */
    INVALID_REQUEST(107, false, false, "invalid request"),

    // ---- messaging (2xx) ----
    /** The topic does not exist. Create it, or refresh routes if it was just created. */
    UNKNOWN_TOPIC(200, true, true, "unknown topic"),
    /** The partition does not exist in this topic. */
    UNKNOWN_PARTITION(201, true, true, "unknown partition"),
    /** This broker does not lead the partition. Refresh routes and retry on the leader. */
    NOT_LEADER(202, true, true, "this broker is not the leader of the partition"),
    /** The partition has no live leader right now. Refresh routes and retry after a backoff. */
    LEADER_NOT_AVAILABLE(203, true, true, "partition leader not available"),
    /** A topic of that name exists already. */
    TOPIC_ALREADY_EXISTS(204, false, false, "topic already exists"),
    /** The topic name is not valid (allowed: letters, digits, '.', '_', '-', at most 200 characters). */
    INVALID_TOPIC(205, false, false, "invalid topic name"),
    /** The partition count is not valid. */
    INVALID_PARTITIONS(206, false, false, "invalid number of partitions"),
    /** The replication factor is larger than the number of live brokers, or not positive. */
    INVALID_REPLICATION_FACTOR(207, false, false, "invalid replication factor"),
    /** A record (or batch) is larger than the maximum message size. Do not retry. */
    RECORD_TOO_LARGE(208, false, false, "record larger than the maximum message size"),
    /** A record batch failed its checksum or structure check. The producer may retry once. */
    CORRUPT_RECORD(209, true, false, "record batch is corrupt (checksum or structure)"),
    /** The requested offset is outside the partition's log; the message gives the valid range. */
    OFFSET_OUT_OF_RANGE(210, false, false, "offset out of range"),
    /** Fewer replicas are in sync than min.insync.replicas; an acks=all write was refused. Retry later. */
    NOT_ENOUGH_REPLICAS(211, true, false, "not enough in-sync replicas"),
    /** The write was appended by the leader but the in-sync set shrank before it was replicated. */
    NOT_ENOUGH_REPLICAS_AFTER_APPEND(212, true, false, "not enough in-sync replicas after append"),
    /** The broker could not read or write its log directory. */
    STORAGE_ERROR(213, true, true, "storage error on the broker"),
    /** The request carried a leader epoch older than the current one. Refresh routes. */
    FENCED_LEADER_EPOCH(214, true, true, "leader epoch is stale"),
    /** The sender is a deposed controller. */
    STALE_CONTROLLER_EPOCH(215, false, false, "controller epoch is stale"),
    /** The producer's buffer is full and max.block elapsed. Slow down or raise buffer.memory. */
    BUFFER_EXHAUSTED(216, true, false, "producer buffer is full"),
    /** The client was closed. */
    CLIENT_CLOSED(217, false, false, "client is closed"),
    /** No broker is reachable. */
    BROKER_NOT_AVAILABLE(218, true, true, "broker not available"),
    /**
     * The broker refused a write because its data directory is out of space: the disk is full (the space a batch
     * needs could not be reserved) or its free space is under the broker's floor
     * ({@code sluice.broker.storage.min.free.bytes}); the message names the directory and the numbers. Nothing of
     * the refused write was stored. Retry after a backoff: writes resume once space is freed.
     */
    STORAGE_FULL(219, true, false, "broker storage is full"),
    /**
     * An incremental fetch named a fetch session the broker does not hold (it restarted, evicted the session from
     * its bounded cache, or the connection that made it closed). Not retriable as is: send a full fetch, which
     * creates a new session.
     */
    FETCH_SESSION_ID_NOT_FOUND(230, false, false, "fetch session not found"),
    /**
     * An incremental fetch's session epoch is not the one the broker expects next (a request lost or answered
     * out of order). Not retriable as is: send a full fetch, which creates a new session.
     */
    INVALID_FETCH_SESSION_EPOCH(231, false, false, "fetch session epoch does not match"),

    // ---- consumer groups (3xx) ----
    /** No coordinator is available for the group yet. Retry after a backoff. */
    COORDINATOR_NOT_AVAILABLE(300, true, true, "group coordinator not available"),
    /** This broker is not the group's coordinator. Find the coordinator again. */
    NOT_COORDINATOR(301, true, true, "not the coordinator of this group"),
    /** The member's generation is older than the group's. Rejoin the group. */
    ILLEGAL_GENERATION(302, false, false, "stale group generation"),
    /** The member is not known to the coordinator. Rejoin the group. */
    UNKNOWN_MEMBER(303, false, false, "unknown group member"),
    /** The group is rebalancing. Rejoin. */
    REBALANCE_IN_PROGRESS(304, true, false, "group rebalance in progress"),
    /** The operation needs a group without active members. */
    GROUP_NOT_EMPTY(305, false, false, "group has active members"),
    /**
     * The joining member supports none of the partition assignment strategies the group's members all support.
     * Do not retry: configure a strategy the group shares (e.g. list the old one after the new one while upgrading).
     */
    INCONSISTENT_GROUP_PROTOCOL(306, false, false, "no assignment strategy in common with the group"),

    // ---- rpc (4xx) ----
    /** No provider of that service (name, version, group) is known. */
    NO_PROVIDER(400, true, false, "no provider available for the service"),
    /** The provider does not export the requested service. */
    SERVICE_NOT_FOUND(401, false, false, "service not found on the provider"),
    /** The service has no such method with those parameter types. */
    METHOD_NOT_FOUND(402, false, false, "method not found on the service"),
    /** The provider's business pool is full. Retry on another provider. */
    PROVIDER_BUSY(403, true, false, "provider busy: business pool full"),
    /** Arguments or a result could not be (de)serialized. */
    SERIALIZATION_ERROR(404, false, false, "serialization error"),
    /** A class named on the wire is not on the serialization allow-list. */
    CLASS_NOT_ALLOWED(405, false, false, "class not allowed by the serialization allow-list"),
    /** The service method threw; the message carries the remote exception type and message. */
    REMOTE_EXCEPTION(406, false, false, "the remote method threw an exception"),
    /** The circuit breaker for that provider is open. */
    CIRCUIT_OPEN(407, true, false, "circuit breaker open"),
    /** The provider is shutting down and takes no new calls. Retry on another provider. */
    PROVIDER_SHUTTING_DOWN(408, true, false, "provider is shutting down"),
    /**
     * RPC arguments or a result claim more than their bytes can carry: an array or collection length, or a run of
     * nulls, larger than what remains of the payload, or an array of more than 255 dimensions. Refused before
     * anything is allocated; the connection stays open. Do not retry: the sender is broken or hostile.
     */
    MALFORMED_PAYLOAD(409, false, false, "malformed RPC payload"),
    /**
     * The provider ran out of memory (heap or direct) while decoding, running or answering the call; the method
     * may have run. Retry on another provider only if the method is idempotent; send less per call.
     */
    PROVIDER_OUT_OF_MEMORY(410, true, false, "provider out of memory"),

    // ---- process and configuration (5xx) ----
    /** A configuration value is invalid; the message names the key and the allowed values. */
    INVALID_CONFIG(500, false, false, "invalid configuration"),
    /** The port to listen on is taken by another process. */
    PORT_IN_USE(501, false, false, "port already in use"),
    /** The data directory cannot be created or written. */
    DATA_DIR_NOT_WRITABLE(502, false, false, "data directory not writable"),
    /** The registry (ZooKeeper) cannot be reached. */
    REGISTRY_UNAVAILABLE(503, true, false, "registry unavailable");

    private static final ErrorCode[] BY_ID = new ErrorCode[600];

    static {
        for (ErrorCode code : values()) {
            if (BY_ID[code.id] != null) {
                throw new ExceptionInInitializerError("duplicate error id " + code.id);
            }
            BY_ID[code.id] = code;
        }
    }

    private final short id;
    private final boolean retriable;
    private final boolean refreshRoutes;
    private final String defaultMessage;

    ErrorCode(int id, boolean retriable, boolean refreshRoutes, String defaultMessage) {
        this.id = (short) id;
        this.retriable = retriable;
        this.refreshRoutes = refreshRoutes;
        this.defaultMessage = defaultMessage;
    }

    /** The stable id used on the wire. */
    public short id() {
        return id;
    }

    /** True if the same request may succeed when sent again after a backoff. */
    public boolean retriable() {
        return retriable;
    }

    /** True if the caller should refresh its routes before retrying. */
    public boolean refreshRoutes() {
        return refreshRoutes;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /** The code for a wire id; ids this version does not know map to {@link #UNKNOWN}. */
    public static ErrorCode forId(int id) {
        if (id < 0 || id >= BY_ID.length || BY_ID[id] == null) {
            return UNKNOWN;
        }
        return BY_ID[id];
    }

    /** A new exception with this code and a specific message. */
    public SluiceException exception(String message) {
        return new SluiceException(this, message);
    }
}
