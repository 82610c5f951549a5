package io.sluice.remoting.transport;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The phi accrual failure detector (Hayashibara et al. 2004), in the form Akka and Cassandra use: it keeps the last
 * {@value #MAX_SAMPLES} intervals between arrivals and, for the silence so far, computes
 * {@code phi = -log10(P(an interval at least this long))} under a normal distribution with the observed mean (plus an
 * acceptable pause) and standard deviation (at least a floor). The peer is dead once phi reaches the threshold:
 * phi 8 means such a silence would be a 1-in-10^8 event if the peer were alive and behaved as observed. Because the
 * distribution follows what was observed, a connection on a loaded machine (late, irregular arrivals) is judged more
 * patiently than one on a quiet machine.
 *
 * <p>Before any interval was observed the history is seeded with the expected interval (the heartbeat interval)
 * and a deviation of a quarter of it, as Akka does. Memory is bounded (a ring of {@value #MAX_SAMPLES} longs).
 * Not thread-safe.
 */
final class PhiAccrualDetector implements FailureDetector {
    static final int MAX_SAMPLES = 200;

    private final double threshold;
    private final double acceptablePauseMs;
    private final double minStdDeviationMs;
    private final double[] intervalsMs = new double[MAX_SAMPLES];
    private int count;
    private int next;
    private double sum;
    private double sumOfSquares;
    private long lastNs;

    PhiAccrualDetector(double threshold, long expectedIntervalNs, long acceptablePauseNs, long minStdDeviationNs,
                       long nowNs) {
        this.threshold = threshold;
        this.acceptablePauseMs = toMs(acceptablePauseNs);
        this.minStdDeviationMs = toMs(minStdDeviationNs);
        this.lastNs = nowNs;
        double mean = toMs(expectedIntervalNs);
        double deviation = mean / 4;
        add(mean - deviation);
        add(mean + deviation);
    }

    @Override
    public void heartbeat(long nowNs) {
        add(toMs(nowNs - lastNs));
        lastNs = nowNs;
    }

    private void add(double intervalMs) {
        if (count == MAX_SAMPLES) {
            double oldest = intervalsMs[next];
            sum -= oldest;
            sumOfSquares -= oldest * oldest;
        } else {
            count++;
        }
        intervalsMs[next] = intervalMs;
        next = (next + 1) % MAX_SAMPLES;
        sum += intervalMs;
        sumOfSquares += intervalMs * intervalMs;
    }

    @Override
    public boolean isDead(long nowNs) {
        return phi(nowNs) >= threshold;
    }

    /** The suspicion level at {@code nowNs}: 0 just after an arrival, growing without bound with the silence. */
    double phi(long nowNs) {
        double silenceMs = toMs(nowNs - lastNs);
        double mean = meanMs() + acceptablePauseMs;
        double deviation = Math.max(stdDeviationMs(), minStdDeviationMs);
        // the logistic approximation of the normal distribution's tail, as in Akka's PhiAccrualFailureDetector
        double y = (silenceMs - mean) / deviation;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        return silenceMs > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    double meanMs() {
        return sum / count;
    }

    double stdDeviationMs() {
        double mean = meanMs();
        return Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
    }

    @Override
    public String explain(long nowNs) {
        return String.format(Locale.ROOT, "nothing heard for %d ms: phi %.1f >= %.1f (mean interval %.0f ms, "
                        + "deviation %.0f ms, acceptable pause %.0f ms, %s=phi)",
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastNs), phi(nowNs), threshold, meanMs(), stdDeviationMs(),
                acceptablePauseMs, TransportConfig.LIVENESS_DETECTOR);
    }

    private static double toMs(long nanos) {
        return nanos / 1e6;
    }
}
