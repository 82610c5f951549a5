package io.sluice.rpc.internal.endpoint;

import io.netty.util.Timer;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The connection to one provider address, shared by every service endpoint at that address, with reconnection
 * after a backoff.
 *
 * <pre>
 *   IDLE --connect--> CONNECTING --ok--> READY --closed (peer gone, missed heartbeats)--> BACKOFF
 *   BACKOFF --timer--> RECONNECTING --ok--> VERIFYING --heartbeat answered--> READY
 *   CONNECTING, RECONNECTING, VERIFYING --failed / no answer--> BACKOFF;      any --close()--> CLOSED
 * </pre>
 * Usable for calls: IDLE, CONNECTING (the first connect: calls wait for it) and READY. A provider that failed is
 * used again only once a new connection to it answered a heartbeat.
 *
 * <p>The transport closes a connection whose peer misses its heartbeats, so a dead provider leaves the usable set
 * (state BACKOFF) before the registry notices it. Backoff doubles from the initial delay up to the maximum, with
 * +-20% jitter so many consumers do not reconnect in step. It starts over only after a connection stayed up for the
 * maximum backoff: a hung provider whose kernel still accepts connections (then misses heartbeats) is retried
 * less and less often instead of every initial delay. Each successful connect starts a new {@link #generation()}.
 *
 * <p>Thread-safe: transitions take the object's lock; {@link #connection()} reads volatile fields only.
 */
public final class ProviderChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderChannel.class);

    /** The channel's states. */
    public enum State { IDLE, CONNECTING, RECONNECTING, VERIFYING, READY, BACKOFF, CLOSED }

    private final RemotingClient client;
    private final InetSocketAddress address;
    private final Timer timer;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private volatile State state = State.IDLE;
    private volatile CompletableFuture<Connection> current;
    private volatile int generation;
    private volatile long nextAttemptAtNs;
    private long connectedAtNs;
    private int failures;
    private int references;

    public ProviderChannel(RemotingClient client, InetSocketAddress address, Timer timer, long initialBackoffMs,
                           long maxBackoffMs) {
        this.client = client;
        this.address = address;
        this.timer = timer;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
    }

    public InetSocketAddress address() {
        return address;
    }

    public State state() {
        return state;
    }

    /** Incremented by every successful connect: a new generation is (possibly) a new provider process. */
    public int generation() {
        return generation;
    }

    /** True unless the provider is known unreachable (backing off) or the channel is closed. */
    public boolean usable() {
        State s = state;
        return s == State.READY || s == State.CONNECTING || s == State.IDLE;
    }

    /** The open connection, the pending connect, or a NETWORK_ERROR (never sent) while backing off. */
    public CompletableFuture<Connection> connection() {
        State s = state;
        CompletableFuture<Connection> c = current;
        if ((s == State.READY || s == State.CONNECTING) && c != null) {
            return c;
        }
        if (s == State.IDLE) {
            connect();
            return current;
        }
        long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextAttemptAtNs - System.nanoTime()));
        return CompletableFuture.failedFuture(new SluiceException(ErrorCode.NETWORK_ERROR, s == State.CLOSED
                ? "connection to provider " + address + " is closed"
                : s == State.BACKOFF ? "provider " + address + " is unreachable; reconnecting in " + waitMs + " ms"
                : "provider " + address + " failed and is being reconnected (" + s + ")"));
    }

    /** Starts connecting if idle or backing off (used to connect eagerly when a provider appears). */
    public synchronized void connect() {
        if (state != State.IDLE && state != State.BACKOFF) {
            return;
        }
        state = state == State.IDLE ? State.CONNECTING : State.RECONNECTING;
        CompletableFuture<Connection> attempt = client.connect(address);
        current = attempt;
        attempt.whenComplete((connection, error) -> {
            if (error != null) {
                onLost(null, error);
            } else {
                onConnected(attempt, connection);
            }
        });
    }

    private void onConnected(CompletableFuture<Connection> attempt, Connection connection) {
        boolean verify;
        synchronized (this) {
            if (state == State.CLOSED || current != attempt) {
                connection.close();
                return;
            }
            verify = state == State.RECONNECTING;
            state = verify ? State.VERIFYING : State.READY;
            connectedAtNs = System.nanoTime();
            generation++;
        }
        connection.closeFuture().whenComplete((v, e) -> onLost(connection, null));
        if (verify) {
            verify(attempt, connection);
        }
    }

    /**
     * After a failure, a new connection carries calls only once the provider answered a heartbeat on it: a hung
     * process whose kernel still accepts connections must not get calls again each time it is reconnected.
     */
    private void verify(CompletableFuture<Connection> attempt, Connection connection) {
        TransportConfig transport = client.config();
        long timeoutMs = Math.max(100, Math.min(transport.livenessTimeoutMs(), transport.requestTimeoutMs()));
        connection.request(ApiKey.HEARTBEAT, new Empty(), null, timeoutMs).whenComplete((response, error) -> {
            if (response != null) {
                response.close();
            }
            synchronized (this) {
                if (error == null && state == State.VERIFYING && current == attempt) {
                    state = State.READY;
                    return;
                }
            }
            if (error != null) {
                LOG.debug("provider {} connected but did not answer a heartbeat: {}", address, error.toString());
                connection.close(); // back to BACKOFF, with a longer delay
            }
        });
    }

    private void onLost(Connection connection, Throwable error) {
        long delayMs;
        int failed;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            if (connection != null && (current == null || !current.isDone() || current.isCompletedExceptionally()
                    || current.join() != connection)) {
                return; // an older connection
            }
            long livedNs = System.nanoTime() - connectedAtNs;
            if (connection != null && livedNs >= TimeUnit.MILLISECONDS.toNanos(maxBackoffMs)) {
                failures = 0; // it was healthy for a while: start the backoff over
            }
            long base = Math.min(maxBackoffMs, initialBackoffMs << Math.min(failures, 20));
            failed = ++failures;
            delayMs = Math.max(1, (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
            state = State.BACKOFF;
            nextAttemptAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
            if (references == 0) {
                LOG.debug("provider {} disconnected while unused; not reconnecting", address);
                return; // lingering unused: reconnect only if acquired again (acquire calls connect())
            }
        }
        if (failed == 1) {
            LOG.info("provider {} {}; reconnecting in {} ms", address, error == null ? "disconnected"
                    : "unreachable (" + SluiceException.from(error).getMessage() + ")", delayMs);
        } else {
            LOG.debug("provider {} still unreachable; next attempt in {} ms", address, delayMs);
        }
        try {
            timer.newTimeout(t -> connect(), delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.debug("cannot schedule reconnect to {}: {}", address, e.toString()); // timer stopped: closing
        }
    }

    /** Requests in flight on the current connection. */
    public int inFlight() {
        CompletableFuture<Connection> c = current;
        return c != null && c.isDone() && !c.isCompletedExceptionally() ? c.join().inFlight() : 0;
    }

    synchronized int retain() {
        return ++references;
    }

    synchronized int release() {
        return --references;
    }

    synchronized int references() {
        return references;
    }

    /** Closes the connection now; requests still in flight fail with NETWORK_ERROR. */
    public void close() {
        CompletableFuture<Connection> c;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            c = current;
        }
        if (c != null) {
            c.whenComplete((connection, error) -> {
                if (connection != null) {
                    connection.close();
                }
            });
        }
    }

    @Override
    public String toString() {
        return address + "(" + state + ")";
    }
}
