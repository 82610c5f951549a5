package io.sluice.client;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.client.internals.ConfigSupport;
import io.sluice.remoting.config.ConfigSource;
import io.sluice.remoting.transport.TransportConfig;

import static io.sluice.client.internals.ConfigSupport.require;

/**
 * Settings of an {@link Admin}: named keys beside their defaults, fluent accessors without prefixes, and
 * {@link #conclude()} which validates once and throws {@code INVALID_CONFIG} naming the key and value.
 * Not thread-safe; do not change a config after handing it to an admin client.
 */
public final class AdminConfig {
    public static final String CLIENT_ID = "sluice.admin.client.id";
    public static final String NAMESERVERS = "sluice.admin.nameservers";
    public static final String NAMESERVERS_DEFAULT = "127.0.0.1:9876";
    public static final String REQUEST_TIMEOUT_MS = "sluice.admin.request.timeout.ms";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String RETRY_BACKOFF_MS = "sluice.admin.retry.backoff.ms";
    public static final long RETRY_BACKOFF_MS_DEFAULT = 100;

    private String clientId;
    private String nameservers = NAMESERVERS_DEFAULT;
    private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
    private long retryBackoffMs = RETRY_BACKOFF_MS_DEFAULT;
    private final TransportConfig transport = ConfigSupport.clientTransport();
    private MeterRegistry meterRegistry;

    /**
     * A config with the {@code sluice.admin.*} keys of {@code source} and its {@code sluice.transport.*} keys;
     * absent keys keep their defaults. An unknown {@code sluice.admin.*} key or a value that does not parse is
     * {@code INVALID_CONFIG}. Call {@link #conclude()} (the client does).
     */
    public static AdminConfig from(ConfigSource source) {
        AdminConfig c = new AdminConfig();
        ConfigSupport.applyAll(source, "sluice.admin.", c.transport, c::set);
        return c;
    }

    private boolean set(String key, ConfigSource s) {
        switch (key) {
            case CLIENT_ID -> clientId(s.getString(key, clientId));
            case NAMESERVERS -> nameservers(s.getString(key, nameservers));
            case REQUEST_TIMEOUT_MS -> requestTimeoutMs(s.getLong(key, requestTimeoutMs));
            case RETRY_BACKOFF_MS -> retryBackoffMs(s.getLong(key, retryBackoffMs));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Name used for threads and logs; null picks {@code admin-N}. */
    public String clientId() {
        return clientId;
    }

    public AdminConfig clientId(String value) {
        this.clientId = value;
        return this;
    }

    /** Nameserver addresses, {@code host:port,host:port}; the next one is tried when one cannot be reached. */
    public String nameservers() {
        return nameservers;
    }

    public AdminConfig nameservers(String value) {
        this.nameservers = value;
        return this;
    }

    /** How long each admin call may take in total, retries included. */
    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public AdminConfig requestTimeoutMs(long value) {
        this.requestTimeoutMs = value;
        return this;
    }

    /** Pause before retrying a read that failed with a retriable error. */
    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public AdminConfig retryBackoffMs(long value) {
        this.retryBackoffMs = value;
        return this;
    }

    /** Transport settings; one I/O thread by default. */
    public TransportConfig transport() {
        return transport;
    }

    /** Passed to the transport for its metrics; null (the default) for none. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    public AdminConfig meterRegistry(MeterRegistry value) {
        this.meterRegistry = value;
        return this;
    }

    /** Validates every value once; throws {@code INVALID_CONFIG} naming the key. Returns this. */
    public AdminConfig conclude() {
        ConfigSupport.parseAddresses(NAMESERVERS, nameservers);
        require(requestTimeoutMs >= 1, REQUEST_TIMEOUT_MS, requestTimeoutMs, "at least 1");
        require(retryBackoffMs >= 1, RETRY_BACKOFF_MS, retryBackoffMs, "at least 1");
        transport.conclude();
        return this;
    }
}
