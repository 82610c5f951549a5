package io.sluice.remoting.transport;

import java.util.concurrent.TimeUnit;

/**
 * Decides, from the times at which signs of life arrived from a peer, whether its silence now means it is dead. Time
 * is passed in (nanoseconds of one monotonic clock), so tests drive it with a manual clock. Used on one connection's
 * I/O thread only; not thread-safe.
 */
interface FailureDetector {
    /** Something arrived from the peer at {@code nowNs}. Times passed in never go backwards. */
    void heartbeat(long nowNs);

    /** True if the silence since the last arrival, at {@code nowNs}, means the peer is dead. */
    boolean isDead(long nowNs);

    /** The state behind the verdict at {@code nowNs}, for a log line (e.g. "nothing heard for 31000 ms ..."). */
    String explain(long nowNs);

    /** The detector {@code config} chooses for a client connection that opened at {@code nowNs}. */
    static FailureDetector create(TransportConfig config, long nowNs) {
        return switch (config.livenessDetector()) {
            case TIMEOUT -> new TimeoutDetector(TimeUnit.MILLISECONDS.toNanos(config.livenessTimeoutMs()),
                    TransportConfig.LIVENESS_TIMEOUT_MS, nowNs);
            case PHI -> new PhiAccrualDetector(config.phiThreshold(),
                    TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs()),
                    TimeUnit.MILLISECONDS.toNanos(config.phiAcceptablePauseMs()),
                    TimeUnit.MILLISECONDS.toNanos(config.phiMinStdDeviationMs()), nowNs);
        };
    }
}
