package io.sluice.rpc.internal.invoke;

import io.sluice.rpc.internal.endpoint.Endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the attempts of one logical call share: when it started, its deadline, the attempt counter and the
 * endpoints already tried (so a retry or a fork goes elsewhere).
 *
 * <p>Thread-safe (attempts of a forking call run concurrently): the tried list is guarded by this object.
 */
public final class CallState {
    private final long startNs;
    private volatile long deadlineNs;
    private final AtomicInteger attempts = new AtomicInteger();
    private List<Endpoint> tried;

    public CallState(long startNs) {
        this.startNs = startNs;
        this.deadlineNs = startNs + Long.MAX_VALUE / 2;
    }

    public long startNs() {
        return startNs;
    }

    public long deadlineNs() {
        return deadlineNs;
    }

    public void deadlineNs(long value) {
        this.deadlineNs = value;
    }

    /** Nanoseconds left before the deadline at {@code nowNs}; negative once it passed. */
    public long remainingNs(long nowNs) {
        return deadlineNs - nowNs;
    }

    int nextAttemptNumber() {
        return attempts.incrementAndGet();
    }

    /** Attempts started after the first. */
    public int retries() {
        return attempts.get();
    }

    public synchronized void tried(Endpoint endpoint) {
        if (tried == null) {
            tried = new ArrayList<>(4);
        }
        if (!tried.contains(endpoint)) {
            tried.add(endpoint);
        }
    }

    public synchronized boolean wasTried(Endpoint endpoint) {
        return tried != null && tried.contains(endpoint);
    }

    public synchronized int triedCount() {
        return tried == null ? 0 : tried.size();
    }
}
