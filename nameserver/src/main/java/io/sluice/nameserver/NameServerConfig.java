package io.sluice.nameserver;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.TransportConfig;

/** What a nameserver needs to start, typed and validated once by {@link #conclude()}. */
public final class NameServerConfig {
    public static final String HOST = "sluice.nameserver.host";
    public static final String PORT = "sluice.nameserver.port";
    public static final int PORT_DEFAULT = 9876;
    public static final String METRICS_PORT = "sluice.nameserver.metrics.port";
    public static final int METRICS_PORT_DEFAULT = 9877;
    public static final String ADMIN_THREADS = "sluice.nameserver.admin.threads";
    public static final String DEFAULT_PARTITIONS = "sluice.nameserver.default.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR =
            "sluice.nameserver.offsets.topic.replication.factor";
    public static final int OFFSETS_TOPIC_REPLICATION_FACTOR_DEFAULT = 3;
    public static final String CONTROLLER_ENABLED = "sluice.nameserver.controller.enabled";
    public static final String PROBE_BROKERS = "sluice.nameserver.controller.probe.brokers";
    public static final String PROBE_CONTROLLER = "sluice.nameserver.controller.probe.controller";

    private String host = "127.0.0.1";
    private int port = PORT_DEFAULT;
    private int metricsPort = METRICS_PORT_DEFAULT;
    private int adminThreads = 2;
    private int defaultPartitions = 8;
    private int offsetsTopicReplicationFactor = OFFSETS_TOPIC_REPLICATION_FACTOR_DEFAULT;
    private boolean controllerEnabled = true;
    private boolean probeBrokers = true;
    private boolean probeController = true;
    private TransportConfig transport = new TransportConfig();

    public String host() {
        return host;
    }

    public NameServerConfig host(String value) {
        this.host = value;
        return this;
    }

    /** Port of the nameserver's protocol listener; 0 picks a free one. */
    public int port() {
        return port;
    }

    public NameServerConfig port(int value) {
        this.port = value;
        return this;
    }

    /** Port of the Prometheus endpoint; 0 picks a free one, -1 disables it. */
    public int metricsPort() {
        return metricsPort;
    }

    public NameServerConfig metricsPort(int value) {
        this.metricsPort = value;
        return this;
    }

    /** Threads that carry out registry writes (create and delete topic) off the I/O threads. */
    public int adminThreads() {
        return adminThreads;
    }

    public NameServerConfig adminThreads(int value) {
        this.adminThreads = value;
        return this;
    }

    /** Partitions of a topic created without a partition count. */
    public int defaultPartitions() {
        return defaultPartitions;
    }

    public NameServerConfig defaultPartitions(int value) {
        this.defaultPartitions = value;
        return this;
    }

    /**
     * Replication factor of the internal offsets topic (Kafka's {@code offsets.topic.replication.factor}), whoever
     * asks for it to be created: it is created only once that many brokers are live, and until then group
     * coordination is unavailable ({@code COORDINATOR_NOT_AVAILABLE}), so that the offsets of every group do not end
     * up on the one disk of the first broker. Default 3; {@code bin/sluice standalone} uses its broker count, up to 3.
     */
    public int offsetsTopicReplicationFactor() {
        return offsetsTopicReplicationFactor;
    }

    public NameServerConfig offsetsTopicReplicationFactor(int value) {
        this.offsetsTopicReplicationFactor = value;
        return this;
    }

    /**
     * Whether this nameserver competes to be the cluster controller (which moves partition leadership away from
     * dead brokers). Default true; at least one nameserver of a cluster must have it.
     */
    public boolean controllerEnabled() {
        return controllerEnabled;
    }

    public NameServerConfig controllerEnabled(boolean value) {
        this.controllerEnabled = value;
        return this;
    }

    /**
     * Whether the controller finds dead broker processes before their registry sessions expire: every nameserver
     * (standbys too) keeps an idle connection to each broker, and a broker whose connection closes and whose address
     * then refuses connections is dead at once (see {@link BrokerDeathDetector}). Default true; turn it off where a refusal may
     * not come from the broker's own host (e.g. a firewall that rejects), and brokers are dead when their sessions
     * expire.
     */
    public boolean probeBrokers() {
        return probeBrokers;
    }

    public NameServerConfig probeBrokers(boolean value) {
        this.probeBrokers = value;
        return this;
    }

    /**
     * Whether a standby takes over as soon as the active controller's nameserver process is gone: it keeps an idle
     * connection to that nameserver, and when it closes and the address then refuses connections, the standby removes
     * the stale controller node so that the election proceeds before the dead controller's session expires (see
     * {@link ControllerProbe}). Default true; turn it off where a refusal may not come from the nameserver's own host.
     */
    public boolean probeController() {
        return probeController;
    }

    public NameServerConfig probeController(boolean value) {
        this.probeController = value;
        return this;
    }

    public TransportConfig transport() {
        return transport;
    }

    public NameServerConfig transport(TransportConfig value) {
        this.transport = value;
        return this;
    }

    public NameServerConfig conclude() {
        require(host != null && !host.isBlank(), HOST, host, "a host name or address");
        require(port >= 0 && port <= 65535, PORT, port, "between 0 and 65535");
        require(metricsPort >= -1 && metricsPort <= 65535, METRICS_PORT, metricsPort, "between -1 and 65535");
        require(adminThreads >= 1 && adminThreads <= 64, ADMIN_THREADS, adminThreads, "between 1 and 64");
        require(defaultPartitions >= 1, DEFAULT_PARTITIONS, defaultPartitions, "at least 1");
        require(offsetsTopicReplicationFactor >= 1 && offsetsTopicReplicationFactor <= 16,
                OFFSETS_TOPIC_REPLICATION_FACTOR, offsetsTopicReplicationFactor, "between 1 and 16");
        transport.conclude();
        return this;
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }
}
