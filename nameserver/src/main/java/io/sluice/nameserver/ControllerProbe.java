package io.sluice.nameserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.registry.LeaderElection;
import io.sluice.registry.LeaderListener;
import io.sluice.registry.LeaderTerm;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Lets a standby nameserver take over as soon as the active controller's process is gone, instead of when the dead
 * controller's registry session expires ({@code sluice.registry.session.timeout.ms}, 10 s by default): otherwise a
 * controller that dies together with a broker leaves that broker's partitions without a leader for the whole
 * session timeout.
 *
 * <p>While another nameserver leads, this one keeps a {@link ProcessProbe} on the leader's nameserver address (its
 * participant id, {@code nameserver@host:port}, names it). When the probe proves the process gone (its connection
 * closed and reconnects were refused), the standby removes the stale {@code /controller} node with
 * {@link LeaderElection#evict}: conditionally on that exact term (leader node version and epoch node version), so a
 * later term is never touched. Every standby then competes at once; the winner's higher epoch fences any write of
 * the old controller, should it have been alive after all. A nameserver listens from before it joins the election
 * until after it resigns, so a refusal at its address means it no longer leads anything.
 *
 * <p>Disabled with {@code sluice.nameserver.controller.probe.controller=false}; the takeover then waits for the
 * session expiry. Thread-safe: election events arrive on the registry's notifier thread, verdicts on I/O threads;
 * evictions run on this probe's own thread (they block on ZooKeeper).
 */
final class ControllerProbe implements LeaderListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerProbe.class);

    private final LeaderElection election;
    private final RemotingClient client;
    private final ScheduledExecutorService thread;
    private final Counter evictions;
    private ProcessProbe probe;
    private LeaderTerm watched;
    private boolean closed;

    ControllerProbe(LeaderElection election, MeterRegistry metrics) {
        this.election = election;
        this.client = new RemotingClient("controller-probe", new TransportConfig().ioThreads(1), null);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "controller-probe");
            t.setDaemon(true);
            return t;
        });
        this.evictions = Counter.builder("sluice.controller.stale.evictions")
                .description("controller nodes removed by this nameserver because the controller's process was found"
                        + " gone before its registry session expired")
                .register(metrics);
    }

    /** The nameserver address in a controller participant id ({@code nameserver@host:port}), or null. */
    static InetSocketAddress address(String participantId) {
        if (participantId == null || !participantId.startsWith(Controller.PARTICIPANT_PREFIX)) {
            return null;
        }
        String hostPort = participantId.substring(Controller.PARTICIPANT_PREFIX.length());
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            return port > 0 && port < 65536 ? new InetSocketAddress(hostPort.substring(0, colon), port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public synchronized void onFollowing(LeaderTerm leader) {
        if (closed || leader.equals(watched)) {
            return;
        }
        stopProbe();
        watched = leader;
        InetSocketAddress address = address(leader.leaderId());
        if (address == null) {
            log.debug("Controller {} has no nameserver address to probe; its takeover waits for its session",
                    leader.leaderId());
            return;
        }
        ProcessProbe next = new ProcessProbe(client, thread, address, "controller " + leader.leaderId()
                + " (epoch " + leader.epoch() + ")", () -> onGone(leader));
        probe = next;
        next.start();
    }

    @Override
    public synchronized void onElected(long epoch) {
        stopProbe();
        watched = null;
    }

    @Override
    public void onRevoked() {
        // the next leader found arrives through onFollowing
    }

    /** True while a probe watches {@code leaderId}'s process and has reached it (for tests). */
    synchronized boolean watching(String leaderId) {
        return probe != null && watched != null && watched.leaderId().equals(leaderId) && probe.reached();
    }

    private void onGone(LeaderTerm leader) {
        synchronized (this) {
            if (closed || !leader.equals(watched)) {
                return;
            }
        }
        try {
            thread.execute(() -> evict(leader));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void evict(LeaderTerm leader) {
        try {
            if (election.evict(leader)) {
                evictions.increment();
                log.warn("Controller {} (epoch {}) is gone: its connection closed and {} reconnects were refused;"
                        + " removed its controller node so that a new controller is elected now, not when its"
                        + " session expires", leader.leaderId(), leader.epoch(), ProcessProbe.REFUSALS_TO_CONVICT);
            } else {
                log.info("Controller {} (epoch {}) is gone, but its controller node had already changed",
                        leader.leaderId(), leader.epoch());
            }
        } catch (SluiceException e) {
            log.warn("Controller {} is gone, but its controller node could not be removed ({}); the takeover waits"
                    + " for its session to expire", leader.leaderId(), e.getMessage());
        }
    }

    private void stopProbe() {
        if (probe != null) {
            probe.stop();
            probe = null;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            stopProbe();
        }
        thread.shutdownNow();
        client.close();
    }
}
