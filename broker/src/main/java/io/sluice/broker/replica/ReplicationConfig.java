package io.sluice.broker.replica;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

/** Settings of partition replication on a broker, typed and validated once by {@link #conclude()}. */
public final class ReplicationConfig {
    public static final String LAG_TIME_MAX_MS = "sluice.replica.lag.time.max.ms";
    public static final String FETCH_MAX_WAIT_MS = "sluice.replica.fetch.max.wait.ms";
    public static final String FETCH_MAX_BYTES = "sluice.replica.fetch.max.bytes";
    public static final String FETCH_RESPONSE_MAX_BYTES = "sluice.replica.fetch.response.max.bytes";
    public static final String BACKOFF_MS = "sluice.replica.backoff.ms";

    private long lagTimeMaxMs = 10_000;
    private int fetchMaxWaitMs = 500;
    private int fetchMaxBytes = 1 << 20;
    private int fetchResponseMaxBytes = 8 << 20;
    private long backoffMs = 100;

    /** A follower that has not caught up with the leader for this long leaves the in-sync set. Default 10 s. */
    public long lagTimeMaxMs() {
        return lagTimeMaxMs;
    }

    public ReplicationConfig lagTimeMaxMs(long value) {
        this.lagTimeMaxMs = value;
        return this;
    }

    /** How long a follower's fetch may wait at the leader for new data. Default 500 ms. */
    public int fetchMaxWaitMs() {
        return fetchMaxWaitMs;
    }

    public ReplicationConfig fetchMaxWaitMs(int value) {
        this.fetchMaxWaitMs = value;
        return this;
    }

    /** Most bytes one follower fetch asks for per partition. Default 1 MiB. */
    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    public ReplicationConfig fetchMaxBytes(int value) {
        this.fetchMaxBytes = value;
        return this;
    }

    /**
     * Most bytes one follower fetch asks for in all (it holds every partition followed from one leader); the first
     * partition with data still returns a whole batch if it is larger. Default 8 MiB.
     */
    public int fetchResponseMaxBytes() {
        return fetchResponseMaxBytes;
    }

    public ReplicationConfig fetchResponseMaxBytes(int value) {
        this.fetchResponseMaxBytes = value;
        return this;
    }

    /** Pause before a follower retries after an error (leader moved, connection lost). Default 100 ms. */
    public long backoffMs() {
        return backoffMs;
    }

    public ReplicationConfig backoffMs(long value) {
        this.backoffMs = value;
        return this;
    }

    public ReplicationConfig conclude() {
        require(lagTimeMaxMs >= 100, LAG_TIME_MAX_MS, lagTimeMaxMs, "at least 100");
        require(fetchMaxWaitMs >= 0 && fetchMaxWaitMs <= 60_000, FETCH_MAX_WAIT_MS, fetchMaxWaitMs,
                "between 0 and 60000");
        require(fetchMaxBytes >= 1024, FETCH_MAX_BYTES, fetchMaxBytes, "at least 1024");
        require(fetchResponseMaxBytes >= 1024, FETCH_RESPONSE_MAX_BYTES, fetchResponseMaxBytes, "at least 1024");
        require(backoffMs >= 1 && backoffMs <= 60_000, BACKOFF_MS, backoffMs, "between 1 and 60000");
        return this;
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }
}
