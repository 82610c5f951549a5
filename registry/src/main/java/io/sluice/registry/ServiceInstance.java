package io.sluice.registry;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One provider of an RPC service as registered under {@code /services/<serviceKey>/providers/<instanceId>}.
 * Build with {@link #builder(String)}; the instance id defaults to {@code host:port}.
 *
 * <p>Immutable; thread-safe.
 */
public final class ServiceInstance {
    public static final int DEFAULT_WEIGHT = 100;

    private final String serviceKey;
    private final String instanceId;
    private final String host;
    private final int port;
    private final int weight;
    private final String version;
    private final String group;
    private final long startedAtMs;
    private final Map<String, String> metadata;

    public ServiceInstance(String serviceKey, String instanceId, String host, int port, int weight, String version,
            String group, long startedAtMs, Map<String, String> metadata) {
        this.serviceKey = Objects.requireNonNull(serviceKey, "serviceKey");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.instanceId = instanceId != null ? instanceId : host + ":" + port;
        this.weight = weight;
        this.version = version == null ? "" : version;
        this.group = group == null ? "" : group;
        this.startedAtMs = startedAtMs;
        this.metadata = metadata == null || metadata.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    public static Builder builder(String serviceKey) {
        return new Builder(serviceKey);
    }

    public String serviceKey() {
        return serviceKey;
    }

    public String instanceId() {
        return instanceId;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port}. */
    public String address() {
        return host + ":" + port;
    }

    /** Relative share of traffic for weighted load balancing; 0 takes none. */
    public int weight() {
        return weight;
    }

    /** Service version ("" if unversioned). */
    public String version() {
        return version;
    }

    /** Service group ("" if none). */
    public String group() {
        return group;
    }

    public long startedAtMs() {
        return startedAtMs;
    }

    /** Free-form provider metadata (sorted by key, unmodifiable). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceInstance that && port == that.port && weight == that.weight
                && startedAtMs == that.startedAtMs && serviceKey.equals(that.serviceKey)
                && instanceId.equals(that.instanceId) && host.equals(that.host) && version.equals(that.version)
                && group.equals(that.group) && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serviceKey, instanceId, host, port, weight, version, group, startedAtMs, metadata);
    }

    @Override
    public String toString() {
        return "ServiceInstance{" + serviceKey + "/" + instanceId + " at " + address() + ", weight=" + weight
                + ", version=" + version + ", group=" + group + ", metadata=" + metadata + "}";
    }

    /** Fluent builder; not thread-safe. */
    public static final class Builder {
        private final String serviceKey;
        private String instanceId;
        private String host = "127.0.0.1";
        private int port;
        private int weight = DEFAULT_WEIGHT;
        private String version = "";
        private String group = "";
        private long startedAtMs = System.currentTimeMillis();
        private Map<String, String> metadata = Map.of();

        private Builder(String serviceKey) {
            this.serviceKey = serviceKey;
        }

        public Builder instanceId(String value) {
            this.instanceId = value;
            return this;
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder address(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        public Builder weight(int value) {
            this.weight = value;
            return this;
        }

        public Builder version(String value) {
            this.version = value;
            return this;
        }

        public Builder group(String value) {
            this.group = value;
            return this;
        }

        public Builder startedAtMs(long value) {
            this.startedAtMs = value;
            return this;
        }

        public Builder metadata(Map<String, String> value) {
            this.metadata = value;
            return this;
        }

        public ServiceInstance build() {
            return new ServiceInstance(serviceKey, instanceId, host, port, weight, version, group, startedAtMs,
                    metadata);
        }
    }
}
