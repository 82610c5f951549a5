package io.sluice.nameserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.registry.BrokerRegistration;
import io.sluice.registry.LeaderElection;
import io.sluice.registry.LeaderListener;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster controller. Every nameserver runs one; the registry election {@code controller} picks the single
 * active one, and its epoch fences the partition-state writes of a deposed controller (STALE_CONTROLLER_EPOCH).
 *
 * <p>While active it reconciles partition leadership with the live brokers after every change of brokers or
 * topics (and once on election): it moves leadership away from dead brokers to in-sync replicas and takes dead
 * brokers out of in-sync sets, as {@link PartitionLeaderElector} decides, each partition a compare-and-set on its
 * state's version, all the changes of one topic in one batched write (a few ZooKeeper transactions for thousands of
 * partitions). Live brokers are read straight from ZooKeeper, never from a cache that may lag.
 * A pass that fails (registry unreachable, a lost compare-and-set race twice) is retried after
 * {@link #RETRY_DELAY_MS}.
 *
 * <p>A broker is dead to the controller when its registration leaves ZooKeeper (its session expired or it
 * unregistered), or, much sooner, when the {@link BrokerDeathDetector} finds its process gone: the active controller
 * keeps an idle connection to every registered broker, and when it closes and reconnecting to the broker's address
 * is refused, that registration (broker id and session) is dead at once. That takes failover from the session
 * timeout (10 s by default) to a fraction of a second after a broker process dies, while a broker that is merely
 * slow or unreachable (timeouts, no refusal) is still given its whole session. A restarted broker registers from a
 * new session and is live again. Standbys probe the brokers too, so a standby that takes over knows at once about a
 * broker that died with (or just before) the old controller. Disabled with {@code probeBrokers=false}
 * ({@code sluice.nameserver.controller.probe.brokers}).
 *
 * <p>A standby also probes the active controller's nameserver ({@link ControllerProbe}): when that process is gone
 * it removes the stale controller node, so the election proceeds at once rather than when the dead controller's
 * session expires. Disabled with {@code probeController=false} ({@code sluice.nameserver.controller.probe.controller}).
 *
 * <p>Thread-safe: registry notifications only schedule work; all reconciliation runs on one controller thread, which
 * hands a pass's partition-state writes, one task per topic, to a small pool and waits for them (in each topic,
 * partitions left without a leader first).
 */
public final class Controller implements AutoCloseable, LeaderListener {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    static final String ELECTION = "controller";
    /** Controller participant ids are {@code nameserver@host:port}: the nameserver's client address. */
    static final String PARTICIPANT_PREFIX = "nameserver@";
    static final long RETRY_DELAY_MS = 1_000;
    private static final int CAS_ATTEMPTS = 3;
    /** Partition-state writes in flight at once during a pass. */
    static final int WRITERS = 8;

    private final RegistryClient registry;
    private final String participantId;
    private final ScheduledExecutorService executor;
    private final ExecutorService writers;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicInteger offlinePartitions = new AtomicInteger();
    private final Counter elections;
    private final Counter uncleanElections;
    private final Counter isrShrinks;
    private final BrokerDeathDetector deaths;
    private final boolean probeController;
    private final MeterRegistry metrics;
    private LeaderElection election;
    private ControllerProbe controllerProbe;
    private AutoCloseable brokerWatch;
    private AutoCloseable topicWatch;
    private volatile boolean closed;

    public Controller(RegistryClient registry, String participantId, MeterRegistry metrics) {
        this(registry, participantId, metrics, true);
    }

    /** {@code probeBrokers}: whether to find dead broker processes before their sessions expire (see above). */
    public Controller(RegistryClient registry, String participantId, MeterRegistry metrics, boolean probeBrokers) {
        this(registry, participantId, metrics, probeBrokers, true);
    }

    /**
     * {@code probeBrokers}: whether to find dead broker processes before their sessions expire; {@code
     * probeController}: whether a standby takes over as soon as the active controller's process is gone (see above).
     */
    public Controller(RegistryClient registry, String participantId, MeterRegistry metrics, boolean probeBrokers,
                      boolean probeController) {
        this.registry = registry;
        this.metrics = metrics;
        this.probeController = probeController;
        this.participantId = participantId;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "controller");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger writerIds = new AtomicInteger();
        this.writers = Executors.newFixedThreadPool(WRITERS, r -> {
            Thread t = new Thread(r, "controller-writer-" + writerIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.elections = Counter.builder("sluice.controller.leader.elections")
                .description("partition leaders elected by this controller").register(metrics);
        this.uncleanElections = Counter.builder("sluice.controller.unclean.leader.elections")
                .description("partition leaders elected from outside the in-sync set").register(metrics);
        this.isrShrinks = Counter.builder("sluice.controller.isr.shrinks")
                .description("dead brokers taken out of in-sync sets by this controller").register(metrics);
        this.deaths = probeBrokers ? new BrokerDeathDetector("controller-probe", this::schedule, metrics) : null;
        Gauge.builder("sluice.controller.active", this, c -> c.isActive() ? 1 : 0)
                .description("1 while this nameserver is the controller").register(metrics);
        Gauge.builder("sluice.controller.epoch", this, c -> c.epoch())
                .description("epoch of the current controller as last seen").register(metrics);
        Gauge.builder("sluice.controller.offline.partitions", offlinePartitions, AtomicInteger::get)
                .description("partitions without a live leader (as of the last pass while active)").register(metrics);
    }

    /** The participant id of the controller of the nameserver serving clients at {@code host:port}. */
    static String participantId(String host, int port) {
        return PARTICIPANT_PREFIX + host + ":" + port;
    }

    /** Joins the election and follows brokers and topics; returns at once. */
    public Controller start() {
        election = registry.election(ELECTION, participantId);
        election.addListener(this);
        if (probeController) {
            controllerProbe = new ControllerProbe(election, metrics);
            election.addListener(controllerProbe);
        }
        brokerWatch = registry.brokers().watch(live -> schedule());
        topicWatch = registry.topics().watch(topics -> schedule());
        election.start();
        schedule(); // a standby starts probing the brokers at once
        return this;
    }

    /** True while this standby probes the active controller {@code leaderId} and has reached it (for tests). */
    boolean probingController(String leaderId) {
        return controllerProbe != null && controllerProbe.watching(leaderId);
    }

    /** True while this nameserver is the active controller. */
    public boolean isActive() {
        return election != null && election.isLeader();
    }

    /** The controller epoch as last seen (this one's own while active). */
    public long epoch() {
        return election == null ? 0 : election.epoch();
    }

    /** Participant id of the active controller as last seen, or null. */
    public String activeId() {
        return election == null ? null : election.leaderId();
    }

    @Override
    public void onElected(long epoch) {
        log.info("{} is the controller (epoch {})", participantId, epoch);
        schedule();
    }

    @Override
    public void onRevoked() {
        log.info("{} is no longer the controller", participantId);
    }

    private void schedule() {
        if (!closed && pending.compareAndSet(false, true)) {
            submit(0);
        }
    }

    private void submit(long delayMs) {
        try {
            executor.schedule(this::runPass, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.set(false);
        }
    }

    private void runPass() {
        pending.set(false);
        if (closed) {
            return;
        }
        if (!isActive()) {
            trackBrokers();
            return;
        }
        try {
            if (!reconcile()) {
                retryLater();
            }
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.STALE_CONTROLLER_EPOCH) {
                log.warn("Controller {} was deposed during a pass: {}", participantId, e.getMessage());
            } else {
                log.warn("Controller pass failed, retrying in {} ms: {}", RETRY_DELAY_MS, e.getMessage());
                retryLater();
            }
        } catch (RuntimeException e) {
            log.warn("Controller pass failed, retrying in {} ms", RETRY_DELAY_MS, e);
            retryLater();
        }
    }

    private void retryLater() {
        if (!closed && pending.compareAndSet(false, true)) {
            submit(RETRY_DELAY_MS);
        }
    }

    /** One pass over every partition; false if some partition could not be settled and needs another pass. */
    private boolean reconcile() {
        Set<Integer> live = liveBrokerIds();
        int offline = 0;
        List<Callable<Outcome>> writes = new ArrayList<>();
        for (TopicMetadata topic : registry.topics().snapshot().values()) {
            boolean unclean = PartitionLeaderElector.uncleanAllowed(topic.configs());
            List<PartitionState> elect = new ArrayList<>();
            List<PartitionState> shrink = new ArrayList<>();
            for (PartitionState state : topic.partitionStates()) {
                PartitionLeaderElector.Change change = PartitionLeaderElector.decide(state, live, unclean).change();
                if (change == PartitionLeaderElector.Change.NONE) {
                    if (!state.hasLeader() || !live.contains(state.leader())) {
                        offline++;
                    }
                } else {
                    (change == PartitionLeaderElector.Change.SHRINK_ISR ? shrink : elect).add(state);
                }
            }
            if (!elect.isEmpty() || !shrink.isEmpty()) {
                elect.addAll(shrink); // partitions without a leader first
                writes.add(() -> settle(topic.name(), elect, live, unclean));
            }
        }
        boolean settled = true;
        for (Outcome outcome : writeAll(writes)) {
            offline += outcome.offline();
            settled &= outcome.settled();
        }
        offlinePartitions.set(offline);
        return settled;
    }

    /** What settling one topic's partitions came to: how many are left without a live leader, and whether all are
     * settled (false if some lost every compare-and-set and need another pass). */
    private record Outcome(int offline, boolean settled) {
    }

    /**
     * Runs the topics' writes on {@value #WRITERS} threads at once, so that ZooKeeper commits the transactions of
     * different topics together rather than one after another: after a broker dies every partition it led or
     * followed changes at the same time. Returns each topic's outcome; rethrows the first failure once all are done.
     */
    private List<Outcome> writeAll(List<Callable<Outcome>> writes) {
        if (writes.isEmpty()) {
            return List.of();
        }
        List<Future<Outcome>> futures;
        try {
            futures = writers.invokeAll(writes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "controller interrupted while writing");
        }
        List<Outcome> results = new ArrayList<>(futures.size());
        RuntimeException failure = null;
        for (Future<Outcome> f : futures) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new SluiceException(ErrorCode.UNKNOWN, "partition state write failed: " + e.getCause(),
                            e.getCause());
                }
            } catch (InterruptedException | CancellationException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "controller interrupted while writing");
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /**
     * Writes what the elector decides for {@code states} (partitions of one topic) in one batched compare-and-set;
     * partitions whose race was lost are read again and decided again, up to {@value #CAS_ATTEMPTS} times.
     */
    private Outcome settle(String topic, List<PartitionState> states, Set<Integer> live, boolean unclean) {
        List<PartitionState> current = states;
        int offline = 0;
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            List<PartitionState> updates = new ArrayList<>(current.size());
            Map<Integer, PartitionLeaderElector.Decision> decisions = new HashMap<>();
            Map<Integer, PartitionState> before = new HashMap<>();
            for (PartitionState state : current) {
                PartitionLeaderElector.Decision decision = PartitionLeaderElector.decide(state, live, unclean);
                if (decision.change() == PartitionLeaderElector.Change.NONE) {
                    offline += state.hasLeader() && live.contains(state.leader()) ? 0 : 1;
                    continue;
                }
                updates.add(decision.next());
                decisions.put(state.partition(), decision);
                before.put(state.partition(), state);
            }
            if (updates.isEmpty()) {
                return new Outcome(offline, true);
            }
            Set<Integer> written = registry.topics().compareAndSetPartitionStates(topic, updates, election);
            record(topic, written, before, decisions);
            for (int p : written) {
                PartitionState next = decisions.get(p).next();
                offline += next.hasLeader() && live.contains(next.leader()) ? 0 : 1;
            }
            if (written.size() == updates.size()) {
                return new Outcome(offline, true);
            }
            Optional<TopicMetadata> fresh = registry.topics().get(topic);
            if (fresh.isEmpty()) {
                return new Outcome(offline, true); // deleted meanwhile: nothing to settle
            }
            List<PartitionState> lost = new ArrayList<>();
            for (PartitionState u : updates) {
                if (!written.contains(u.partition()) && u.partition() < fresh.get().partitions()) {
                    lost.add(fresh.get().partitionState(u.partition()));
                }
            }
            current = lost;
        }
        return new Outcome(offline, current.isEmpty());
    }

    /** Counts and logs one batch: a line per topic, the partitions at debug level (unclean ones always). */
    private void record(String topic, Set<Integer> written, Map<Integer, PartitionState> before,
            Map<Integer, PartitionLeaderElector.Decision> decisions) {
        int leaders = 0;
        int shrinks = 0;
        for (int p : written) {
            PartitionLeaderElector.Decision decision = decisions.get(p);
            PartitionState was = before.get(p);
            PartitionState next = decision.next();
            switch (decision.change()) {
                case NEW_LEADER -> {
                    leaders++;
                    elections.increment();
                    log.debug("{}-{}: leader {} -> {} (leader epoch {}), in-sync {}", topic, p, was.leader(),
                            next.leader(), next.leaderEpoch(), next.isr());
                }
                case UNCLEAN_LEADER -> {
                    leaders++;
                    elections.increment();
                    uncleanElections.increment();
                    log.warn("{}-{}: UNCLEAN election of {} (leader epoch {}); records only {} had may be lost",
                            topic, p, next.leader(), next.leaderEpoch(), was.isr());
                }
                case SHRINK_ISR -> {
                    shrinks++;
                    isrShrinks.increment();
                    log.debug("{}-{}: in-sync {} -> {} (dead brokers removed)", topic, p, was.isr(), next.isr());
                }
                default -> { }
            }
        }
        if (!written.isEmpty()) {
            int first = written.stream().filter(p -> decisions.get(p).change() != PartitionLeaderElector.Change.SHRINK_ISR)
                    .findFirst().orElse(written.iterator().next()); // an election, if there was one
            PartitionState example = decisions.get(first).next();
            log.info("{}: {} partition(s) got a new leader, {} in-sync set(s) lost dead brokers (e.g. {}-{}: leader {}"
                    + " -> {} (leader epoch {}), in-sync {} -> {})", topic, leaders, shrinks, topic, first,
                    before.get(first).leader(), example.leader(), example.leaderEpoch(), before.get(first).isr(),
                    example.isr());
        }
    }

    /** While standing by: keeps probing every registered broker, so that a takeover knows which are gone. */
    private void trackBrokers() {
        if (deaths == null) {
            return;
        }
        try {
            deaths.track(registry.brokers().registrations());
        } catch (RuntimeException e) {
            log.debug("Standby {} could not list the brokers to probe ({}); trying again on the next change",
                    participantId, e.getMessage());
        }
    }

    /** Registered brokers (read from ZooKeeper) less those the death detector found gone. */
    private Set<Integer> liveBrokerIds() {
        List<BrokerRegistration> registered = registry.brokers().registrations();
        if (deaths != null) {
            deaths.track(registered);
        }
        Set<Integer> ids = new HashSet<>();
        for (BrokerRegistration r : registered) {
            if (deaths == null || !deaths.isDead(r)) {
                ids.add(r.id());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(brokerWatch);
        closeQuietly(topicWatch);
        if (election != null) {
            election.close();
        }
        closeQuietly(controllerProbe);
        executor.shutdownNow();
        writers.shutdownNow();
        if (deaths != null) {
            deaths.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Closing {} failed", c, e);
        }
    }
}
