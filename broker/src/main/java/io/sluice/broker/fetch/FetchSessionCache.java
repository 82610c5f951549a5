package io.sluice.broker.fetch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fetch sessions a broker holds, bounded: at most {@code maxSessions}. A new session takes the place of the
 * least recently used one only if that one has been idle for {@code evictionIdleMs}; otherwise no session is made
 * and the fetcher goes on with full fetches (as Kafka does), so that more fetchers than places cannot evict each
 * other at every request. A session goes when the connection that made it closes, when its fetcher starts a new one
 * (a full fetch naming it), or when evicted; the fetcher learns it from FETCH_SESSION_ID_NOT_FOUND and falls back
 * to a full fetch. Metrics: {@code sluice_broker_fetch_sessions} (held now),
 * {@code sluice_broker_fetch_session_evictions_total} and {@code sluice_broker_fetch_requests_total{kind}} (full,
 * incremental, sessionless). Thread-safe.
 */
public final class FetchSessionCache {
    private final int maxSessions;
    private final long evictionIdleMs;
    /** access-ordered: the first is the least recently used */
    private final LinkedHashMap<Integer, FetchSession> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final Counter evictions;
    private final Counter fullFetches;
    private final Counter incrementalFetches;
    private final Counter sessionlessFetches;

    public FetchSessionCache(int maxSessions, long evictionIdleMs, MeterRegistry metrics) {
        this.maxSessions = maxSessions;
        this.evictionIdleMs = evictionIdleMs;
        MeterRegistry m = metrics == null ? new SimpleMeterRegistry() : metrics;
        Gauge.builder("sluice.broker.fetch.sessions", this, FetchSessionCache::size)
                .description("fetch sessions this broker holds").register(m);
        this.evictions = Counter.builder("sluice.broker.fetch.session.evictions")
                .description("fetch sessions dropped to make room for a new one").register(m);
        String what = "fetch requests by kind: full (creates a session), incremental (in a session), sessionless";
        this.fullFetches = Counter.builder("sluice.broker.fetch.requests").tag("kind", "full").description(what)
                .register(m);
        this.incrementalFetches = Counter.builder("sluice.broker.fetch.requests").tag("kind", "incremental")
                .description(what).register(m);
        this.sessionlessFetches = Counter.builder("sluice.broker.fetch.requests").tag("kind", "sessionless")
                .description(what).register(m);
    }

    /**
     * A new session for {@code replicaId}'s full fetch, or null when the cache is full of sessions in use. The
     * caller fills it and removes it when its connection closes.
     */
    public synchronized FetchSession create(int replicaId, long nowMs) {
        fullFetches.increment();
        if (maxSessions <= 0) {
            return null;
        }
        if (sessions.size() >= maxSessions) {
            Iterator<FetchSession> lru = sessions.values().iterator();
            FetchSession oldest = lru.next();
            if (nowMs - oldest.lastUsedMs() < evictionIdleMs) {
                return null;
            }
            lru.remove();
            oldest.removed();
            evictions.increment();
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, replicaId, nowMs);
        sessions.put(id, session);
        return session;
    }

    /** The session {@code id} for an incremental fetch (marking it used), or null if not held. */
    public synchronized FetchSession get(int id, long nowMs) {
        FetchSession s = sessions.get(id);
        if (s != null) {
            s.touch(nowMs);
            incrementalFetches.increment();
        }
        return s;
    }

    public void countSessionless() {
        sessionlessFetches.increment();
    }

    /** Drops session {@code id} if it is {@code session} (or any, when {@code session} is null). */
    public synchronized void remove(int id, FetchSession session) {
        FetchSession held = sessions.get(id);
        if (held != null && (session == null || held == session)) {
            sessions.remove(id);
            held.removed();
        }
    }

    public synchronized int size() {
        return sessions.size();
    }

    public synchronized boolean contains(int id) {
        return sessions.containsKey(id);
    }

    @Override
    public synchronized String toString() {
        return "FetchSessionCache{sessions=" + sessions.size() + "/" + maxSessions + "}";
    }
}
