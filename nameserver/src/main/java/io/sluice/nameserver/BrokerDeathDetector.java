package io.sluice.nameserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.registry.BrokerRegistration;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices that a broker's process is gone long before its registry session expires, so that the controller can move
 * leadership in a fraction of a second instead of after {@code sluice.registry.session.timeout.ms}.
 *
 * <p>The active controller keeps one idle remoting connection to every registered broker (the transport pings it
 * while idle). When that connection closes, the detector connects again at once:
 * <ul>
 *   <li><b>refused</b> ({@value #REFUSALS_TO_CONVICT} times in a row, {@value #REFUSED_RETRY_MS} ms apart): nothing
 *       listens on the broker's registered address any more. A broker listens from before it registers until after
 *       it unregisters, so its process is gone, and a dead process can acknowledge nothing. The registration (that
 *       broker id <i>and that session</i>) is declared dead and the controller is told; it moves leadership to
 *       in-sync replicas with a higher leader epoch and takes the broker out of in-sync sets.</li>
 *   <li><b>accepted</b>: the process is there (a full listen queue or a paused JVM still accepts): nothing happens.</li>
 *   <li><b>timed out or any other failure</b>: no proof either way (a slow, frozen or unreachable host): the detector
 *       keeps trying every {@value #UNSURE_RETRY_MS} ms and leaves the verdict to the session expiry.</li>
 * </ul>
 * Only a registration this detector has once reached at its address can be declared dead, so a wrong or
 * unreachable address, or a broker that died before this controller took over, falls back to the session expiry.
 *
 * <p>Incarnations: a verdict belongs to one registration (broker id and the registry session holding it). A broker
 * restarted with the same id registers from a new session (taking over the stale node), which is a new registration
 * that is watched afresh and is live; verdicts about registrations that are gone are forgotten.
 *
 * <p>What it assumes: a refusal comes from the broker's host, as on loopback or a LAN without REJECT firewalls in
 * between, and the host does not refuse for a full listen queue ({@code net.ipv4.tcp_abort_on_overflow=0}, Linux's
 * default). Where that does not hold, turn it off ({@code sluice.nameserver.controller.probe.brokers=false}).
 *
 * <p>Thread-safe: {@link #track} and {@link #isDead} are called by the controller thread, connection events arrive
 * on I/O threads and retries run on the detector's timer; all state is guarded by this object.
 */
final class BrokerDeathDetector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerDeathDetector.class);
    static final int REFUSALS_TO_CONVICT = 2;
    static final long REFUSED_RETRY_MS = 50;
    static final long UNSURE_RETRY_MS = 1_000;

    /** One registration and the idle connection that watches it. */
    private final class Watch {
        final BrokerRegistration registration;
        final InetSocketAddress address;
        boolean reached;
        int refusals;
        boolean stopped;
        Connection connection;

        Watch(BrokerRegistration registration) {
            this.registration = registration;
            this.address = new InetSocketAddress(registration.broker().host, registration.broker().port);
        }

        void connect() {
            client.connect(address).whenComplete((c, error) -> onConnect(this, c, error));
        }

        @Override
        public String toString() {
            return "broker " + registration.id() + " at " + registration.address() + " (session 0x"
                    + Long.toHexString(registration.session()) + ")";
        }
    }

    private final RemotingClient client;
    private final Runnable onDeath;
    private final Counter deaths;
    private final ScheduledExecutorService timer;
    /** Watches of the registrations being tracked, by broker id. */
    private final Map<Integer, Watch> watches = new HashMap<>();
    /** Registrations declared dead and still registered: broker id -> session. */
    private final Map<Integer, Long> dead = new HashMap<>();
    private boolean closed;

    /** {@code onDeath} runs (on an I/O or timer thread; it must not block) after each new verdict. */
    BrokerDeathDetector(String name, Runnable onDeath, MeterRegistry metrics) {
        this.client = new RemotingClient(name, new TransportConfig().ioThreads(1), null);
        this.onDeath = onDeath;
        this.deaths = Counter.builder("sluice.controller.broker.deaths.detected")
                .description("broker processes found gone (connection refused) before their session expired")
                .register(metrics);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Watches exactly {@code registrations}: starts watching new ones (a new broker, or a new incarnation of one),
     * stops watching those no longer registered and forgets verdicts about them.
     */
    synchronized void track(Collection<BrokerRegistration> registrations) {
        if (closed) {
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (BrokerRegistration r : registrations) {
            seen.add(r.id());
            Watch current = watches.get(r.id());
            if (current != null && current.registration.session() == r.session()
                    && current.registration.address().equals(r.address())) {
                continue;
            }
            if (current != null) {
                stop(current);
            }
            dead.remove(r.id());
            Watch watch = new Watch(r);
            watches.put(r.id(), watch);
            watch.connect();
        }
        for (Watch w : watches.values()) {
            if (!seen.contains(w.registration.id())) {
                stop(w);
            }
        }
        watches.keySet().retainAll(seen);
        dead.keySet().retainAll(seen);
    }

    /** True if {@code registration} (that broker id with that session) was found dead. */
    synchronized boolean isDead(BrokerRegistration registration) {
        Long session = dead.get(registration.id());
        return session != null && session == registration.session();
    }

    /** Stops every watch and forgets every verdict (this nameserver is no longer the controller). */
    synchronized void clear() {
        watches.values().forEach(this::stop);
        watches.clear();
        dead.clear();
    }

    private void stop(Watch w) {
        w.stopped = true;
        if (w.connection != null) {
            w.connection.close();
        }
    }

    private void onConnect(Watch w, Connection connection, Throwable error) {
        boolean convicted = false;
        synchronized (this) {
            if (closed || w.stopped) {
                if (connection != null) {
                    connection.close();
                }
                return;
            }
            if (error == null) {
                if (w.refusals > 0 || !w.reached) {
                    log.debug("Watching {}", w);
                }
                w.reached = true;
                w.refusals = 0;
                w.connection = connection;
                connection.closeFuture().whenComplete((v, e) -> onClosed(w));
                return;
            }
            boolean refused = refused(error);
            if (refused && w.reached) {
                w.refusals++;
                if (w.refusals >= REFUSALS_TO_CONVICT) {
                    convicted = true;
                    dead.put(w.registration.id(), w.registration.session());
                    w.stopped = true;
                }
            } else {
                w.refusals = 0;
            }
            if (!convicted) {
                retry(w, refused && w.reached ? REFUSED_RETRY_MS : UNSURE_RETRY_MS);
            }
        }
        if (convicted) {
            deaths.increment();
            log.warn("{} is gone: its connection closed and {} reconnects were refused; its session has not "
                    + "expired yet, but it is dead to the controller from now", w, REFUSALS_TO_CONVICT);
            onDeath.run();
        }
    }

    private void onClosed(Watch w) {
        synchronized (this) {
            if (closed || w.stopped) {
                return;
            }
            w.connection = null;
        }
        log.debug("Connection to {} closed; checking whether it is still there", w);
        w.connect();
    }

    private void retry(Watch w, long delayMs) {
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    if (closed || w.stopped) {
                        return;
                    }
                }
                w.connect();
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** A connection refused by the peer's host: nothing listens there. Not a timeout or unreachable network. */
    static boolean refused(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException && !(t instanceof io.netty.channel.ConnectTimeoutException)
                    && t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("refused")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            clear();
        }
        timer.shutdownNow();
        client.close();
    }
}
