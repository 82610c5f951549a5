package io.sluice.client.internals;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.protocol.GetRoutesResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The client's cache of routes for the topics it uses. It asks a nameserver again when someone requests it
 * (unknown topic, NOT_LEADER, ...) — at most once per backoff, growing while the nameservers fail — and at least
 * every {@code maxAge}. Only one request is in flight at a time. Listeners run after every answer (on an I/O
 * thread; they must be fast). Thread-safe.
 */
final class RouteCache {
    private static final Logger LOG = LoggerFactory.getLogger(RouteCache.class);

    private final NameserverClient nameservers;
    private final long requestTimeoutMs;
    private final Backoff backoff;
    private final long maxAgeNs;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Failed attempts to reach any nameserver, with none ever answering, after which waiting for routes stops. */
    static final int UNREACHABLE_AFTER = 3;
    private volatile Routes routes = Routes.EMPTY;
    private volatile boolean refreshNeeded;
    private volatile long successes;
    private CompletableFuture<Routes> inFlight;
    private long lastAttemptNs;
    private long lastSuccessNs;
    private int failures;
    private SluiceException lastFailure;
    private boolean closed;

    public RouteCache(NameserverClient nameservers, long requestTimeoutMs, Backoff backoff, long maxAgeMs) {
        this.nameservers = nameservers;
        this.requestTimeoutMs = requestTimeoutMs;
        this.backoff = backoff;
        this.maxAgeNs = TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
        long now = System.nanoTime();
        this.lastAttemptNs = now - TimeUnit.DAYS.toNanos(1);
        this.lastSuccessNs = now;
    }

    public Routes routes() {
        return routes;
    }

    /** The routes of {@code topic}, or null when not known (yet). */
    public TopicRoutes topic(String topic) {
        return routes.topic(topic);
    }

    /** Adds a topic of interest; a topic not seen before makes the next refresh due. */
    public void addTopic(String topic) {
        if (topics.add(topic)) {
            refreshNeeded = true;
        }
    }

    public void addTopics(Collection<String> names) {
        for (String t : names) {
            addTopic(t);
        }
    }

    /** Asks for fresh routes at the next opportunity (respecting the backoff). */
    public void requestRefresh() {
        refreshNeeded = true;
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Starts a refresh if one is due; returns the refresh in flight (possibly an older one), or null if none. */
    public synchronized CompletableFuture<Routes> maybeRefresh(long nowNs) {
        if (inFlight != null || closed) {
            return inFlight;
        }
        if (nanosUntilDue(nowNs) > 0) {
            return null;
        }
        return start(nowNs);
    }

    /**
     * Nanoseconds until a refresh is due (0 if due now); {@code Long.MAX_VALUE} when nothing is of interest or a
     * refresh is in flight (its answer notifies the listeners).
     */
    public synchronized long nanosUntilDue(long nowNs) {
        if (topics.isEmpty() || closed || inFlight != null) {
            return Long.MAX_VALUE;
        }
        long ageDue = lastSuccessNs + maxAgeNs - nowNs;
        if (!refreshNeeded && failures == 0) {
            return Math.max(0, ageDue);
        }
        long backoffDue = lastAttemptNs + (failures == 0 ? backoff.initialNs() : backoff.delayNs(failures)) - nowNs;
        return Math.max(0, Math.min(ageDue, backoffDue));
    }

    private CompletableFuture<Routes> start(long nowNs) {
        lastAttemptNs = nowNs;
        refreshNeeded = false;
        CompletableFuture<Routes> result = new CompletableFuture<>();
        inFlight = result;
        request(new ArrayList<>(topics)).whenComplete((answer, error) -> onAnswer(answer, error, result));
        return result;
    }

    /**
     * The routes of {@code names}: one GET_ROUTES, or, when the answer would not fit a frame (FRAME_TOO_LARGE),
     * one for each half of the list, and so on, their answers combined into one.
     */
    private CompletableFuture<GetRoutesResponse> request(List<String> names) {
        GetRoutesRequest request = new GetRoutesRequest();
        request.topics = names;
        return nameservers.request(ApiKey.GET_ROUTES, request, requestTimeoutMs, true)
                .handle((response, error) -> {
                    if (error == null) {
                        try {
                            return CompletableFuture.completedFuture(response.<GetRoutesResponse>message());
                        } finally {
                            response.close();
                        }
                    }
                    SluiceException e = SluiceException.from(error);
                    if (e.code() != ErrorCode.FRAME_TOO_LARGE || names.size() < 2) {
                        return CompletableFuture.<GetRoutesResponse>failedFuture(e);
                    }
                    int half = names.size() / 2;
                    return request(new ArrayList<>(names.subList(0, half)))
                            .thenCombine(request(new ArrayList<>(names.subList(half, names.size()))),
                                    RouteCache::combine);
                })
                .thenCompose(f -> f);
    }

    /** Two answers for disjoint topic lists as one: every topic of both, brokers from the newer. */
    private static GetRoutesResponse combine(GetRoutesResponse a, GetRoutesResponse b) {
        GetRoutesResponse newer = b.version > a.version ? b : a;
        GetRoutesResponse both = new GetRoutesResponse();
        both.version = newer.version;
        both.brokers = newer.brokers;
        both.topics = new ArrayList<>();
        both.unknownTopics = new ArrayList<>();
        for (GetRoutesResponse r : List.of(a, b)) {
            if (r.topics != null) {
                both.topics.addAll(r.topics);
            }
            if (r.unknownTopics != null) {
                both.unknownTopics.addAll(r.unknownTopics);
            }
        }
        return both;
    }

    private void onAnswer(GetRoutesResponse answer, Throwable error, CompletableFuture<Routes> result) {
        Routes updated = null;
        SluiceException failure = null;
        try {
            if (error == null) {
                synchronized (this) {
                    updated = routes.merge(answer);
                    routes = updated;
                    lastSuccessNs = System.nanoTime();
                    failures = 0;
                    successes++;
                }
            } else {
                failure = SluiceException.from(error);
                synchronized (this) {
                    failures++;
                    lastFailure = failure;
                    refreshNeeded = true;
                    if (failures == 1 || failures % 20 == 0) {
                        LOG.warn("Could not fetch routes from nameservers {} ({} failures in a row): {}",
                                nameservers.addresses(), failures, failure.toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = new SluiceException(ErrorCode.UNKNOWN, "bad routes answer: " + e, e);
        } finally {
            synchronized (this) {
                inFlight = null;
                notifyAll();
            }
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(updated);
        }
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("route listener failed", e);
            }
        }
    }

    /**
     * Blocks until the routes of {@code topic} are known, driving refreshes itself, until {@code deadlineNs}.
     * Throws {@code UNKNOWN_TOPIC} at the deadline, or as soon as a nameserver says the topic does not exist when
     * {@code waitForCreation} is false.
     */
    public TopicRoutes awaitTopic(String topic, long deadlineNs, boolean waitForCreation) {
        long startSuccesses = successes;
        boolean waits = deadlineNs - System.nanoTime() > 0;
        addTopic(topic);
        while (true) {
            Routes current = routes;
            TopicRoutes found = current.topic(topic);
            if (found != null) {
                return found;
            }
            if (!waitForCreation && successes > startSuccesses && current.unknownTopics().contains(topic)) {
                throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "topic " + topic + " does not exist");
            }
            if (isClosed()) {
                throw new SluiceException(ErrorCode.CLIENT_CLOSED, "client closed while waiting for routes of " + topic);
            }
            SluiceException unreachable = neverReached(UNREACHABLE_AFTER);
            if (unreachable != null) {
                throw unreachable;
            }
            long now = System.nanoTime();
            requestRefresh();
            CompletableFuture<Routes> refresh = maybeRefresh(now);
            long remaining = deadlineNs - now;
            if (remaining <= 0) {
                unreachable = waits ? neverReached(1) : null;
                if (unreachable != null) {
                    throw unreachable;
                }
                throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "routes of topic " + topic + " not known after "
                        + "waiting; it may not exist (nameservers " + nameservers.addresses() + ")");
            }
            awaitChange(refresh, Math.min(remaining, Math.max(nanosUntilDue(now), TimeUnit.MILLISECONDS.toNanos(1))));
        }
    }

    private synchronized void awaitChange(CompletableFuture<Routes> refresh, long timeoutNs) {
        if (closed || refresh != null && inFlight != refresh) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(this, timeoutNs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while waiting for routes");
        }
    }

    /**
     * NETWORK_ERROR naming the nameservers when no nameserver has ever answered this client and the last
     * {@code attempts} attempts could not connect (nothing listens there, or the address is wrong): said after
     * {@value #UNREACHABLE_AFTER} attempts (a second or two) rather than as an unknown topic at the end of
     * {@code max.block.ms}. A client that has had answers keeps waiting through a nameserver's restart.
     */
    private synchronized SluiceException neverReached(int attempts) {
        if (successes > 0 || failures < attempts || lastFailure == null
                || lastFailure.code() != ErrorCode.NETWORK_ERROR) {
            return null;
        }
        return new SluiceException(ErrorCode.NETWORK_ERROR, "no nameserver can be reached at "
                + nameservers.addresses() + " (" + failures + " attempts): " + lastFailure.getMessage());
    }

    /** True if the nameservers' latest answer named {@code topic} as one they do not know. */
    public boolean knownMissing(String topic) {
        return successes > 0 && routes.unknownTopics().contains(topic);
    }

    /** The nameservers asked, for messages. */
    public List<InetSocketAddress> nameserverAddresses() {
        return nameservers.addresses();
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Stops starting refreshes and wakes any waiter. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
