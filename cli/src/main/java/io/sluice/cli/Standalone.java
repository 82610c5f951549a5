package io.sluice.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.nameserver.NameServer;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.metrics.MeterRegistries;
import io.sluice.remoting.metrics.MetricsServer;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sluice in one process: an embedded ZooKeeper, a nameserver and one or more brokers, all on one host, with one
 * Prometheus endpoint. Used by {@code bin/sluice standalone} and by end-to-end tests. Close it to stop everything
 * in reverse order.
 */
public final class Standalone implements AutoCloseable {
    /** Longest wait at start for the nameserver to route every broker. */
    static final long ROUTES_WAIT_MS = 10_000;
    private final Stack started = new Stack();
    private EmbeddedZooKeeper zookeeper;
    private NameServer nameserver;
    private final List<BrokerServer> brokers = new ArrayList<>();
    private MetricsServer metricsServer;
    private final Path dataDir;

    private Standalone(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Starts everything. Ports may be 0 (pick free ones); broker i listens on brokerPort + i when brokerPort is not 0;
     * metricsPort -1 disables the endpoint.
     */
    public static Standalone start(StandaloneSettings s) {
        Standalone st = new Standalone(s.dataDir());
        try {
            st.zookeeper = EmbeddedZooKeeper.start(s.dataDir().resolve("zookeeper"), s.host(), s.zookeeperPort());
            st.started.add(st.zookeeper);
            PrometheusMeterRegistry meters = MeterRegistries.prometheus("standalone");
            if (s.metricsPort() >= 0) {
                st.metricsServer = new MetricsServer(meters).start(s.host(), s.metricsPort());
                st.started.add(st.metricsServer);
            }
            RegistryConfig registryConfig = s.registry().connect(st.zookeeper.connectString());
            RegistryClient nsRegistry = RegistryClient.connect(registryConfig);
            st.started.add(nsRegistry);
            st.nameserver = new NameServer(s.nameserver().host(s.host()), nsRegistry, meters).start();
            st.started.add(st.nameserver);
            for (int i = 0; i < s.brokers(); i++) {
                BrokerConfig bc = s.brokerConfig(i);
                RegistryClient brokerRegistry = RegistryClient.connect(registryConfig);
                st.started.add(brokerRegistry);
                BrokerServer broker = new BrokerServer(bc, brokerRegistry, meters).start();
                st.started.add(broker);
                st.brokers.add(broker);
            }
            st.awaitBrokersRouted(s.brokers());
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
        return st;
    }

    /**
     * Waits (up to {@link #ROUTES_WAIT_MS}) until the nameserver's routes list every broker, so that a topic with a
     * replication factor up to the broker count can be created as soon as start returns.
     */
    private void awaitBrokersRouted(int count) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ROUTES_WAIT_MS);
        while (nameserver.routes().brokers().size() < count && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
    }

    public String zookeeperAddress() {
        return zookeeper.connectString();
    }

    public InetSocketAddress nameserverAddress() {
        return nameserver.address();
    }

    /** host:port of the nameserver, as clients take it. */
    public String nameservers() {
        InetSocketAddress a = nameserver.address();
        return a.getHostString() + ":" + a.getPort();
    }

    public List<BrokerServer> brokers() {
        return brokers;
    }

    public NameServer nameserver() {
        return nameserver;
    }

    /** The metrics URL, or null when disabled. */
    public String metricsUrl() {
        if (metricsServer == null) {
            return null;
        }
        InetSocketAddress a = metricsServer.address();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/metrics";
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The one line printed when everything is up. */
    public String readyLine() {
        StringBuilder sb = new StringBuilder("Sluice standalone ready: zookeeper=").append(zookeeperAddress())
                .append(" nameserver=").append(nameservers()).append(" brokers=");
        for (int i = 0; i < brokers.size(); i++) {
            InetSocketAddress a = brokers.get(i).address();
            sb.append(i == 0 ? "" : ",").append(brokers.get(i).id()).append('@').append(a.getHostString())
                    .append(':').append(a.getPort());
        }
        sb.append(" metrics=").append(metricsUrl() == null ? "off" : metricsUrl())
                .append(" data-dir=").append(dataDir.toAbsolutePath());
        return sb.toString();
    }

    @Override
    public void close() {
        started.close();
    }
}
