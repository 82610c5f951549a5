package io.sluice.broker.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.registry.BrokerRegistry;
import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicStore;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Replication on one broker. As a follower: one {@link ReplicaFetcher} per leader broker, driven by one agent
 * thread, pulling every partition this broker follows. As a leader: a periodic in-sync check that takes out of
 * the in-sync set followers that have not caught up within {@code lag.time.max.ms} and puts back those that have
 * reached the high watermark, each change a compare-and-set of the partition state in the registry (a lost race
 * with the controller or a leader change writes nothing; the next check sees the new state).
 *
 * <p>Thread-safe: {@link #sync()} is called by the registry thread after each assignment change.
 */
public final class ReplicaManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    /** Longest idle pause of the fetcher agent; responses and role changes wake it sooner. */
    private static final long IDLE_PARK_NANOS = 20_000_000L;

    private final int brokerId;
    private final PartitionManager partitions;
    private final BrokerRegistry brokers;
    private final TopicStore topics;
    private final ReplicationConfig config;
    private final MeterRegistry metrics;
    private final Map<Integer, ReplicaFetcher> fetchers = new ConcurrentHashMap<>();
    private final Map<Integer, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private final Counter isrShrinks;
    private final Counter isrExpands;
    private RemotingClient client;
    private volatile Thread agent;
    private ScheduledExecutorService isrChecker;
    private AutoCloseable brokerWatch;
    private volatile boolean running;

    public ReplicaManager(int brokerId, PartitionManager partitions, BrokerRegistry brokers, TopicStore topics,
            ReplicationConfig config, MeterRegistry metrics) {
        this.brokerId = brokerId;
        this.partitions = partitions;
        this.brokers = brokers;
        this.topics = topics;
        this.config = config.conclude();
        this.metrics = metrics;
        this.isrShrinks = Counter.builder("sluice.replica.isr.shrinks").description("followers this leader took out"
                + " of in-sync sets").register(metrics);
        this.isrExpands = Counter.builder("sluice.replica.isr.expands").description("followers this leader put back"
                + " into in-sync sets").register(metrics);
        Gauge.builder("sluice.replica.under.replicated.partitions", this, ReplicaManager::underReplicated)
                .description("partitions led here whose in-sync set is smaller than their replica set")
                .register(metrics);
        Gauge.builder("sluice.replica.max.lag.records", this, ReplicaManager::maxLagRecords)
                .description("largest number of records a follower of a partition led here is behind")
                .register(metrics);
    }

    public ReplicaManager start() {
        running = true;
        client = new RemotingClient("broker-" + brokerId + "-replica", new TransportConfig(), metrics);
        brokerWatch = brokers.watch(this::onBrokers);
        agent = new Thread(this::runAgent, "broker-" + brokerId + "-replica-fetcher");
        agent.setDaemon(true);
        agent.start();
        isrChecker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-" + brokerId + "-isr");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, config.lagTimeMaxMs() / 4);
        isrChecker.scheduleWithFixedDelay(this::checkInSyncSets, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    private void onBrokers(List<BrokerInfo> live) {
        Map<Integer, InetSocketAddress> now = new HashMap<>();
        for (BrokerInfo b : live) {
            now.put(b.id, InetSocketAddress.createUnresolved(b.host, b.port));
        }
        addresses.keySet().retainAll(now.keySet());
        for (Map.Entry<Integer, InetSocketAddress> e : now.entrySet()) {
            addresses.put(e.getKey(), new InetSocketAddress(e.getValue().getHostString(), e.getValue().getPort()));
        }
        fetchers.forEach((id, f) -> f.address(addresses.get(id)));
    }

    /** Brings the fetchers in line with the roles of the hosted partitions. */
    public synchronized void sync() {
        Set<Partition> following = new HashSet<>();
        for (Partition p : partitions.all()) {
            if (!p.isLeader() && p.leaderId() >= 0 && p.leaderId() != brokerId) {
                following.add(p);
                ReplicaFetcher fetcher = fetchers.computeIfAbsent(p.leaderId(), id -> {
                    ReplicaFetcher f = new ReplicaFetcher(brokerId, id, client, config, this::wakeAgent);
                    f.address(addresses.get(id));
                    return f;
                });
                for (ReplicaFetcher other : fetchers.values()) {
                    if (other != fetcher) {
                        other.unfollow(p);
                    }
                }
                fetcher.follow(p, p.leaderEpoch());
            }
        }
        for (ReplicaFetcher f : fetchers.values()) {
            List<Partition> stale = new ArrayList<>();
            for (Partition p : f.partitions()) {
                if (!following.contains(p)) {
                    stale.add(p);
                }
            }
            stale.forEach(f::unfollow);
        }
        fetchers.values().removeIf(ReplicaFetcher::isEmpty);
        wakeAgent();
    }

    private void runAgent() {
        while (running) {
            int work = 0;
            long now = System.currentTimeMillis();
            for (ReplicaFetcher f : fetchers.values()) {
                try {
                    work += f.doWork(now);
                } catch (RuntimeException e) {
                    log.warn("Replica fetcher for broker {} failed", f.leaderId(), e);
                }
            }
            if (work == 0) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
    }

    private void wakeAgent() {
        Thread t = agent;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Shrinks or expands the in-sync sets of the partitions led here, as the followers' progress says: the changes of
     * one topic are written in one batched compare-and-set, so a follower that falls behind on thousands of
     * partitions costs a few registry transactions, not a round trip per partition one after another.
     */
    void checkInSyncSets() {
        long now = System.currentTimeMillis();
        Map<String, Map<Partition, List<Integer>>> changes = new HashMap<>();
        for (Partition p : partitions.all()) {
            if (!p.leadershipConfirmed()) {
                continue; // a leader cut off from the registry changes nothing until it is sure it still leads
            }
            try {
                List<Integer> next = InSyncRule.next(p, brokerId, now, config.lagTimeMaxMs());
                if (!new HashSet<>(next).equals(new HashSet<>(p.isr()))) {
                    changes.computeIfAbsent(p.topic(), t -> new HashMap<>()).put(p, next);
                }
            } catch (RuntimeException e) {
                log.warn("{}: in-sync check failed", p, e);
            }
        }
        changes.forEach(this::writeIsr);
    }

    private void writeIsr(String topic, Map<Partition, List<Integer>> next) {
        List<PartitionState> updates = new ArrayList<>(next.size());
        Map<Integer, Partition> byId = new HashMap<>();
        Map<Integer, List<Integer>> before = new HashMap<>();
        for (Map.Entry<Partition, List<Integer>> e : next.entrySet()) {
            Partition p = e.getKey();
            if (p.isLeader()) {
                before.put(p.id(), p.isr());
                byId.put(p.id(), p);
                updates.add(new PartitionState(p.id(), p.replicas(), brokerId, p.leaderEpoch(), e.getValue(),
                        p.stateVersion()));
            }
        }
        if (updates.isEmpty()) {
            return;
        }
        Set<Integer> written;
        try {
            written = topics.compareAndSetPartitionStates(topic, updates, null);
        } catch (SluiceException e) {
            log.warn("{}: could not update the in-sync sets of {} partition(s): {}", topic, updates.size(),
                    e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warn("{}: in-sync update of {} partition(s) failed", topic, updates.size(), e);
            return;
        }
        for (PartitionState u : updates) {
            Partition p = byId.get(u.partition());
            if (!written.contains(u.partition())) {
                log.debug("{}: in-sync set not written (state changed meanwhile)", p);
                continue;
            }
            List<Integer> was = before.get(u.partition());
            List<Integer> now = u.isr();
            p.isrWritten(now, u.version() + 1);
            if (now.size() < was.size() || !now.containsAll(was)) {
                isrShrinks.increment();
            }
            if (now.size() > was.size() || !was.containsAll(now)) {
                isrExpands.increment();
            }
            log.info("{}: in-sync set {} -> {} (leader epoch {})", p, was, now, p.leaderEpoch());
        }
    }

    private double underReplicated() {
        int n = 0;
        for (Partition p : partitions.all()) {
            if (p.isLeader() && p.isr().size() < p.replicas().size()) {
                n++;
            }
        }
        return n;
    }

    private double maxLagRecords() {
        long max = 0;
        for (Partition p : partitions.all()) {
            if (p.isLeader()) {
                long end = p.log().logEndOffset();
                for (int r : p.replicas()) {
                    long leo = p.progress().logEnd(r);
                    if (r != brokerId && leo >= 0) {
                        max = Math.max(max, end - leo);
                    }
                }
            }
        }
        return max;
    }

    @Override
    public void close() {
        running = false;
        if (brokerWatch != null) {
            try {
                brokerWatch.close();
            } catch (Exception e) {
                log.debug("Closing the broker watch failed", e);
            }
        }
        if (isrChecker != null) {
            isrChecker.shutdownNow();
        }
        if (agent != null) {
            agent.interrupt();
            try {
                agent.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (client != null) {
            client.close();
        }
    }
}
