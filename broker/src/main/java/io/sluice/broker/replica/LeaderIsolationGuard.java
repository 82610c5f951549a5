package io.sluice.broker.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.broker.partition.LeaderLease;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.SessionEvent;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a leader that is cut off from ZooKeeper from acknowledging writes once it can no longer be sure it leads,
 * so that no two brokers acknowledge acks=all writes for one partition in the same leader epoch.
 *
 * <h2>Mechanism</h2>
 * On {@link SessionEvent#SUSPENDED} or {@link SessionEvent#LOST} (delivered at once on Curator's connection thread)
 * the broker's {@link LeaderLease} is suspended and every hosted partition is {@link Partition#fence() fenced}:
 * from then on no partition led here moves its high watermark, acks=all produces are refused with the retriable
 * {@code NOT_LEADER} (the client refreshes its routes and retries, reaching the new leader once there is one) and
 * those already waiting for the high watermark are answered the same way. On {@link SessionEvent#RECONNECTED}
 * (same session) or {@link SessionEvent#NEW_SESSION} (the old one expired; the broker's registration is re-created
 * by the registry client) the partition states are read straight from ZooKeeper, not from the watch cache: a
 * partition whose leader and leader epoch there are still this broker's is confirmed and resumes; any other stays
 * fenced until the registry watch applies its new role (follower, or leader of a newer epoch). Leaders still fenced
 * while the lease holds are re-checked every second.
 *
 * <h2>Why there is no overlap</h2>
 * The controller moves leadership of a live broker's partitions only after the broker's session has expired at the
 * ZooKeeper server, which happens a full session timeout after the server last heard from it (it moves them sooner
 * only once the broker's process is proven gone, its address refusing connections, and a process that is gone
 * acknowledges nothing). The client side sees trouble sooner: at once when the connection breaks, and at the latest
 * after two thirds of the session timeout without an answer (the ZooKeeper client's read timeout), when Curator
 * reports SUSPENDED. So the lease is suspended
 * at least a third of the session timeout before any other broker can be elected (barring a pause of this process
 * or clock drift longer than that, the usual bound of lease-based fencing). Whatever the old leader acknowledged
 * before that had reached its whole in-sync set, from which the controller elects the next leader, and the in-sync
 * set itself only changes by compare-and-set on the state's ZooKeeper version, which the election bumps. After the
 * suspension nothing is acknowledged until a fresh read shows the same leader and epoch, so a deposed leader never
 * acknowledges alongside its successor. Even a resumed leader whose partition is taken over a moment later cannot
 * acknowledge a write the successor lacks: its high watermark needs every in-sync replica, the successor among them,
 * and the successor no longer fetches from it.
 *
 * <h2>Followers</h2>
 * Followers learn the new leader and epoch from the registry and fetch from it with the new epoch; a follower fetch
 * names its leader epoch, so a broker that has not yet heard of its own deposition answers fetches of a newer epoch
 * with {@code NOT_LEADER}, and a new leader answers fetches of an older one with {@code FENCED_LEADER_EPOCH}. When the
 * deposed broker applies its new role it truncates its log where its history leaves the new leader's
 * ({@link ReplicaFetcher}) and follows like any other.
 *
 * <p>Thread-safe: session events arrive on Curator's thread; registry reads run on this guard's own thread.
 */
public final class LeaderIsolationGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderIsolationGuard.class);

    /** Pause before leaders still fenced with the lease held are checked against the registry again. */
    private static final long RECHECK_MS = 1_000;

    private final int brokerId;
    private final RegistryClient registry;
    private final PartitionManager partitions;
    private final LeaderLease lease;
    private final Counter suspensions;
    private final AtomicBoolean recheckPending = new AtomicBoolean();
    private final ScheduledExecutorService executor;
    private volatile boolean connected = true;
    private volatile boolean closed;
    private AutoCloseable subscription;

    public LeaderIsolationGuard(int brokerId, RegistryClient registry, PartitionManager partitions, LeaderLease lease,
            MeterRegistry metrics) {
        this.brokerId = brokerId;
        this.registry = registry;
        this.partitions = partitions;
        this.lease = lease;
        this.suspensions = Counter.builder("sluice.replica.leadership.suspensions")
                .description("times this broker stopped acknowledging as leader because its registry connection"
                        + " dropped").register(metrics);
        Gauge.builder("sluice.replica.unconfirmed.leader.partitions", this, LeaderIsolationGuard::unconfirmed)
                .description("partitions led here that acknowledge nothing until the registry confirms the"
                        + " leadership").register(metrics);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-" + brokerId + "-leader-guard");
            t.setDaemon(true);
            return t;
        });
    }

    public LeaderIsolationGuard start() {
        subscription = registry.addSessionListener(this::onSessionEvent);
        return this;
    }

    /** On Curator's connection thread: quick, never blocks on ZooKeeper. */
    private void onSessionEvent(SessionEvent event) {
        switch (event) {
            case SUSPENDED, LOST -> {
                connected = false;
                lease.suspend();
                int led = 0;
                for (Partition p : partitions.all()) {
                    if (p.isLeader()) {
                        led++;
                    }
                    p.fence();
                }
                suspensions.increment();
                log.warn("Registry connection {}: the {} partition(s) led by broker {} acknowledge no acks=all write"
                        + " until the registry confirms the leadership", event, led, brokerId);
            }
            case RECONNECTED, NEW_SESSION -> {
                connected = true;
                log.info("Registry connection back ({}): re-reading the partition states", event);
                submit(this::reconcile, 0);
            }
            default -> {
            }
        }
    }

    /**
     * Reads the states of every hosted topic straight from ZooKeeper; fences each partition led here that the
     * registry no longer names with this broker and this epoch; restores the lease unless it was suspended again
     * meanwhile; and confirms the others.
     */
    void reconcile() {
        recheckPending.set(false);
        if (!connected || closed) {
            return;
        }
        long generation = lease.generation();
        Map<String, TopicMetadata> fresh = new HashMap<>();
        try {
            for (String topic : partitions.topics()) {
                Optional<TopicMetadata> t = registry.topics().get(topic);
                t.ifPresent(m -> fresh.put(topic, m));
            }
        } catch (SluiceException e) {
            log.warn("Could not re-read the partition states ({}); trying again", e.getMessage());
            recheckLater();
            return;
        }
        List<Partition> confirmed = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        int led = 0;
        for (Partition p : partitions.all()) {
            if (!p.isLeader()) {
                continue;
            }
            led++;
            int epoch = p.leaderEpoch();
            PartitionState s = stateOf(fresh.get(p.topic()), p.id());
            if (s != null && s.leader() == brokerId && s.leaderEpoch() == epoch) {
                confirmed.add(p);
                epochs.add(epoch);
            } else {
                p.fence();
                log.info("{}: the registry no longer names broker {} leader in epoch {} ({}); it stays fenced until"
                        + " its new role is applied", p, brokerId, epoch, s);
            }
        }
        if (!lease.held()) {
            if (!lease.restore(generation)) {
                return; // suspended again meanwhile: the next reconnect reconciles
            }
            log.info("Registry confirms broker {} still leads {} of its {} led partition(s); those resume", brokerId,
                    confirmed.size(), led);
        }
        for (int i = 0; i < confirmed.size(); i++) {
            confirmed.get(i).unfence(epochs.get(i));
        }
        if (unconfirmed() > 0) {
            recheckLater();
        }
    }

    private static PartitionState stateOf(TopicMetadata topic, int partition) {
        if (topic == null) {
            return null;
        }
        for (PartitionState s : topic.partitionStates()) {
            if (s.partition() == partition) {
                return s;
            }
        }
        return null;
    }

    private void recheckLater() {
        if (recheckPending.compareAndSet(false, true)) {
            submit(this::reconcile, RECHECK_MS);
        }
    }

    private void submit(Runnable task, long delayMs) {
        Runnable safe = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("Leadership check failed; trying again", e);
                recheckLater();
            }
        };
        try {
            executor.schedule(safe, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Leader guard closed; check dropped");
        }
    }

    /** Partitions led here that do not act on it now. */
    private double unconfirmed() {
        int n = 0;
        for (Partition p : partitions.all()) {
            if (p.isLeader() && !p.leadershipConfirmed()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("Removing the session listener failed", e);
            }
        }
        executor.shutdownNow();
    }
}
