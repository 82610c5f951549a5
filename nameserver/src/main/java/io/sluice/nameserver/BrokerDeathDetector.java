package io.sluice.nameserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.registry.BrokerRegistration;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Notices that a broker's process is gone long before its registry session expires, so that the controller can move
 * leadership in a fraction of a second instead of after {@code sluice.registry.session.timeout.ms}.
 *
 * <p>Every nameserver, the active controller and the standbys alike, keeps a {@link ProcessProbe} on every
 * registered broker: an idle connection that, once it closes, is re-opened at once; {@value ProcessProbe#REFUSALS_TO_CONVICT}
 * refusals in a row prove that nothing listens at the broker's registered address any more. A broker listens from
 * before it registers until after it unregisters, so its process is gone, and a dead process can acknowledge
 * nothing. The registration (that broker id <i>and that session</i>) is declared dead and the controller is told;
 * while active it moves leadership to in-sync replicas with a higher leader epoch and takes the broker out of
 * in-sync sets. Standbys probe too, so that a standby taking over after the controller died with a broker already
 * knows the verdict (or reaches it within a fraction of a second), rather than having never reached the broker.
 * Accepted, timed-out or otherwise failed attempts prove nothing (see {@link ProcessProbe}): a slow, frozen or
 * unreachable broker is left to its session expiry, and so is a broker that died before this nameserver reached it.
 *
 * <p>Incarnations: a verdict belongs to one registration (broker id and the registry session holding it). A broker
 * restarted with the same id registers from a new session (taking over the stale node), which is a new registration
 * that is watched afresh and is live; verdicts about registrations that are gone are forgotten.
 *
 * <p>What it assumes: see {@link ProcessProbe}. Where that does not hold, turn it off
 * ({@code sluice.nameserver.controller.probe.brokers=false}).
 *
 * <p>Thread-safe: {@link #track} and {@link #isDead} are called by the controller thread, verdicts arrive on I/O
 * and timer threads; all state is guarded by this object.
 */
final class BrokerDeathDetector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerDeathDetector.class);
    static final int REFUSALS_TO_CONVICT = ProcessProbe.REFUSALS_TO_CONVICT;
    static final long REFUSED_RETRY_MS = ProcessProbe.REFUSED_RETRY_MS;
    static final long UNSURE_RETRY_MS = ProcessProbe.UNSURE_RETRY_MS;

    /** One registration and the probe that watches it. */
    private record Watch(BrokerRegistration registration, ProcessProbe probe) {
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
            if (current != null && current.registration().session() == r.session()
                    && current.registration().address().equals(r.address())) {
                continue;
            }
            if (current != null) {
                current.probe().stop();
            }
            dead.remove(r.id());
            Watch watch = watch(r);
            watches.put(r.id(), watch);
            watch.probe().start();
        }
        for (Watch w : watches.values()) {
            if (!seen.contains(w.registration().id())) {
                w.probe().stop();
            }
        }
        watches.keySet().retainAll(seen);
        dead.keySet().retainAll(seen);
    }

    private Watch watch(BrokerRegistration r) {
        String what = "broker " + r.id() + " at " + r.address() + " (session 0x" + Long.toHexString(r.session())
                + ")";
        Watch[] self = new Watch[1];
        ProcessProbe probe = new ProcessProbe(client, timer,
                new InetSocketAddress(r.broker().host, r.broker().port), what, () -> onGone(self[0]));
        self[0] = new Watch(r, probe);
        return self[0];
    }

    /** True if {@code registration} (that broker id with that session) was found dead. */
    synchronized boolean isDead(BrokerRegistration registration) {
        Long session = dead.get(registration.id());
        return session != null && session == registration.session();
    }

    /** Stops every watch and forgets every verdict. */
    synchronized void clear() {
        watches.values().forEach(w -> w.probe().stop());
        watches.clear();
        dead.clear();
    }

    private void onGone(Watch w) {
        synchronized (this) {
            if (closed || watches.get(w.registration().id()) != w) {
                return;
            }
            dead.put(w.registration().id(), w.registration().session());
        }
        deaths.increment();
        log.warn("{} is gone: its connection closed and {} reconnects were refused; its session has not "
                + "expired yet, but it is dead to the controller from now", w.probe(), REFUSALS_TO_CONVICT);
        onDeath.run();
    }

    /** A connection refused by the peer's host: nothing listens there. Not a timeout or unreachable network. */
    static boolean refused(Throwable error) {
        return ProcessProbe.refused(error);
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
