package io.sluice.remoting.transport;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@link PhiAccrualDetector} and {@link TimeoutDetector} driven by a manual clock (times passed in). */
class PhiAccrualDetectorTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A clock the test moves, and a detector fed at its times. */
    private long now = 1_000 * SECOND;

    private PhiAccrualDetector detector(long pauseMs, long minStdMs) {
        return new PhiAccrualDetector(8.0, SECOND, pauseMs * MS, minStdMs * MS, now);
    }

    private void beats(PhiAccrualDetector d, long... intervalsMs) {
        for (long interval : intervalsMs) {
            now += interval * MS;
            d.heartbeat(now);
        }
    }

    private void regularBeats(PhiAccrualDetector d, int count, long intervalMs) {
        for (int i = 0; i < count; i++) {
            beats(d, intervalMs);
        }
    }

    @Test
    void phiIsLowAfterAnArrivalAndGrowsWithTheSilence() {
        PhiAccrualDetector d = detector(0, 100);
        regularBeats(d, 50, 1_000);
        double previous = d.phi(now);
        assertThat(previous).isLessThan(0.01);
        for (long silence = 200; silence <= 3_000; silence += 200) {
            double phi = d.phi(now + silence * MS);
            assertThat(phi).as("phi after %d ms", silence).isGreaterThanOrEqualTo(previous);
            previous = phi;
        }
        assertThat(d.phi(now + 60 * SECOND)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void regularArrivalsConvictSoonAfterTheUsualInterval() {
        PhiAccrualDetector d = detector(0, 100);
        regularBeats(d, 100, 1_000);
        assertThat(d.meanMs()).isCloseTo(1_000, within(1.0));
        // deviation at its floor (100 ms): phi 8 lies about 5.2 deviations past the mean
        assertThat(d.isDead(now + 1_400 * MS)).isFalse();
        assertThat(d.isDead(now + 1_700 * MS)).isTrue();
    }

    @Test
    void irregularArrivalsOnALoadedMachineAreJudgedMorePatiently() {
        PhiAccrualDetector regular = detector(0, 100);
        regularBeats(regular, 100, 1_500);
        PhiAccrualDetector irregular = detector(0, 100);
        for (int i = 0; i < 50; i++) {
            beats(irregular, 500, 2_500); // the same mean, 1.5 s, with a deviation of 1 s
        }
        long silence = 5 * SECOND;
        assertThat(regular.isDead(now + silence)).isTrue();
        assertThat(irregular.stdDeviationMs()).isCloseTo(1_000, within(10.0));
        assertThat(irregular.isDead(now + silence)).as("5 s is within what this peer has shown").isFalse();
        assertThat(irregular.isDead(now + 8 * SECOND)).isTrue();
    }

    @Test
    void theAcceptablePauseIsAddedToTheMean() {
        PhiAccrualDetector d = detector(3_000, 100);
        regularBeats(d, 100, 1_000);
        assertThat(d.isDead(now + 3_500 * MS)).isFalse();
        assertThat(d.isDead(now + 4_700 * MS)).isTrue();
    }

    @Test
    void aFreshDetectorAssumesTheHeartbeatIntervalWithAQuarterDeviation() {
        PhiAccrualDetector d = detector(0, 100);
        assertThat(d.meanMs()).isCloseTo(1_000, within(0.01));
        assertThat(d.stdDeviationMs()).isCloseTo(250, within(0.01));
        assertThat(d.isDead(now + 1_500 * MS)).isFalse();
        assertThat(d.isDead(now + 3 * SECOND)).isTrue();
    }

    @Test
    void onlyTheLatestSamplesCount() {
        PhiAccrualDetector d = detector(0, 100);
        regularBeats(d, 10_000, 2_000);
        regularBeats(d, PhiAccrualDetector.MAX_SAMPLES, 1_000);
        assertThat(d.meanMs()).isCloseTo(1_000, within(0.01));
        assertThat(d.stdDeviationMs()).isCloseTo(0, within(0.5));
        assertThat(d.explain(now + 2 * SECOND)).contains("nothing heard for 2000 ms").contains("phi");
    }

    @Test
    void theTimeoutDetectorConvictsExactlyAtItsTimeout() {
        TimeoutDetector d = new TimeoutDetector(30 * SECOND, TransportConfig.LIVENESS_TIMEOUT_MS, now);
        now += 10 * SECOND;
        d.heartbeat(now);
        assertThat(d.isDead(now + 30 * SECOND - 1)).isFalse();
        assertThat(d.isDead(now + 30 * SECOND)).isTrue();
        assertThat(d.explain(now + 31 * SECOND)).isEqualTo("nothing heard for 31000 ms ("
                + TransportConfig.LIVENESS_TIMEOUT_MS + "=30000)");
    }
}
