package io.sluice.rpc.internal.endpoint;

import io.sluice.remoting.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.sluice.rpc.internal.endpoint.CircuitBreaker.State.CLOSED;
import static io.sluice.rpc.internal.endpoint.CircuitBreaker.State.HALF_OPEN;
import static io.sluice.rpc.internal.endpoint.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

/** The breaker's state machine, driven by a manual clock. */
class CircuitBreakerTest {
    private static final long MS = 1_000_000;
    private final List<String> transitions = new ArrayList<>();
    private final CircuitBreaker breaker = new CircuitBreaker(3, 100 * MS, 350 * MS,
            (from, to) -> transitions.add(from + "->" + to));

    @Test
    void opensAfterConsecutiveHealthFailuresOnly() {
        breaker.onFailure(ErrorCode.NETWORK_ERROR, 0);
        breaker.onFailure(ErrorCode.REQUEST_TIMED_OUT, 0);
        breaker.onSuccess();
        breaker.onFailure(ErrorCode.NETWORK_ERROR, 0);
        breaker.onFailure(ErrorCode.REMOTE_EXCEPTION, 0); // a business error is not a health failure: resets
        breaker.onFailure(ErrorCode.NETWORK_ERROR, 0);
        breaker.onFailure(ErrorCode.PROVIDER_BUSY, 0);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        breaker.onFailure(ErrorCode.UNKNOWN, 10 * MS);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.tryAcquire(50 * MS)).isFalse();
        assertThat(breaker.permits(109 * MS)).isFalse();
    }

    @Test
    void halfOpensAfterTheOpenPeriodAndLetsOneProbeThrough() {
        trip(0);
        breaker.onTimeEvent(99 * MS);
        assertThat(breaker.state()).isEqualTo(OPEN);
        breaker.onTimeEvent(100 * MS);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.permits(100 * MS)).isTrue();
        assertThat(breaker.tryAcquire(100 * MS)).as("the probe").isTrue();
        assertThat(breaker.tryAcquire(100 * MS)).as("only one probe at a time").isFalse();
        breaker.onSuccess();
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
    }

    @Test
    void aFailedProbeReopensForTwiceAsLongUpToTheMaximum() {
        trip(0);
        assertThat(breaker.tryAcquire(100 * MS)).isTrue();
        breaker.onFailure(ErrorCode.NETWORK_ERROR, 100 * MS);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.tryAcquire(299 * MS)).as("open for 200 ms now").isFalse();
        assertThat(breaker.tryAcquire(300 * MS)).isTrue();
        breaker.onFailure(ErrorCode.NETWORK_ERROR, 300 * MS);
        assertThat(breaker.tryAcquire(649 * MS)).as("400 ms capped at 350").isFalse();
        assertThat(breaker.tryAcquire(650 * MS)).isTrue();
        breaker.onSuccess();
        trip(700 * MS);
        assertThat(breaker.tryAcquire(799 * MS)).as("back to the base period after closing").isFalse();
        assertThat(breaker.tryAcquire(800 * MS)).isTrue();
    }

    private void trip(long nowNs) {
        for (int i = 0; i < 3; i++) {
            breaker.onFailure(ErrorCode.NETWORK_ERROR, nowNs);
        }
        assertThat(breaker.state()).isEqualTo(OPEN);
    }
}
