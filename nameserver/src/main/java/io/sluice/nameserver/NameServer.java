package io.sluice.nameserver;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.DescribeClusterResponse;
import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.transport.RemotingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Serves routes to clients from memory and carries out topic administration. The route table is rebuilt, with a
 * new version, whenever the registry reports a change of brokers or topics (only the routes of changed topics are
 * built again); clients never talk to the registry, and ask only for the topics they use.
 * A nameserver holds no state of its own: restarting it loses nothing. Each nameserver also runs a
 * {@link Controller}; the registry elects one of them active.
 */
public final class NameServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NameServer.class);

    private final NameServerConfig config;
    private final RegistryClient registry;
    private final MeterRegistry metrics;
    private volatile RouteTable routes = RouteTable.empty();
    private long version;
    private Map<String, TopicMetadata> topics = Map.of();
    private List<BrokerInfo> brokers = List.of();
    private RemotingServer server;
    private volatile Controller controller;
    private ExecutorService admin;
    private AutoCloseable brokerWatch;
    private AutoCloseable topicWatch;
    private volatile boolean closed;

    public NameServer(NameServerConfig config, RegistryClient registry, MeterRegistry metrics) {
        this.config = config.conclude();
        this.registry = registry;
        this.metrics = metrics;
    }

    public NameServer start() {
        admin = new ThreadPoolExecutor(config.adminThreads(), config.adminThreads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "nameserver-admin");
                    t.setDaemon(true);
                    return t;
                });
        try {
            onBrokers(registry.brokers().liveBrokers());
            onTopics(registry.topics().snapshot());
            brokerWatch = registry.brokers().watch(this::onBrokers);
            topicWatch = registry.topics().watch(this::onTopics);
            TopicAdminHandler topicAdmin = new TopicAdminHandler(registry.topics(), registry::status, () -> routes,
                    admin, config.defaultPartitions(), config.offsetsTopicReplicationFactor());
            server = new RemotingServer("nameserver", config.transport(), metrics)
                    .handle(ApiKey.GET_ROUTES, (ctx, message, payload) -> {
                        GetRoutesRequest request = (GetRoutesRequest) message;
                        try {
                            ctx.respond(routes.answer(request.topics, request.namesOnly,
                                    config.transport().maxFrameBytes()));
                        } catch (SluiceException e) {
                            ctx.fail(e);
                        }
                    })
                    .handle(ApiKey.CREATE_TOPIC, topicAdmin.create())
                    .handle(ApiKey.DELETE_TOPIC, topicAdmin.delete())
                    .handle(ApiKey.DESCRIBE_CLUSTER, (ctx, message, payload) -> {
                        DescribeClusterResponse cluster = ClusterDescriber.describe(routes, controller);
                        cluster.registry = ClusterDescriber.registry(registry.status(), System.currentTimeMillis());
                        ctx.respond(cluster);
                    });
            server.start(config.host(), config.port());
            if (config.controllerEnabled()) {
                controller = new Controller(registry, Controller.participantId(config.host(), address().getPort()),
                        metrics, config.probeBrokers(), config.probeController()).start();
            }
            Gauge.builder("sluice.nameserver.route.version", this, n -> n.routes.version())
                    .description("version of the route table").register(metrics);
            Gauge.builder("sluice.nameserver.brokers", this, n -> n.routes.brokers().size())
                    .description("live brokers").register(metrics);
            Gauge.builder("sluice.nameserver.topics", this, n -> n.routes.topicNames().size())
                    .description("topics").register(metrics);
            Gauge.builder("sluice.nameserver.registry.connected", registry, r -> r.status().connected() ? 1 : 0)
                    .description("1 while this nameserver is connected to the registry (ZooKeeper); while 0, routes are"
                            + " as of the outage and topics cannot be created or deleted").register(metrics);
            Gauge.builder("sluice.nameserver.under.replicated.partitions", this,
                    n -> ClusterDescriber.count(ClusterDescriber.describe(n.routes, null).underReplicated))
                    .description("partitions of the cluster whose in-sync set is smaller than their replica set")
                    .register(metrics);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("Nameserver serving routes on {}", address());
        return this;
    }

    private synchronized void onBrokers(List<BrokerInfo> live) {
        brokers = List.copyOf(live);
        rebuild();
    }

    private synchronized void onTopics(Map<String, TopicMetadata> snapshot) {
        topics = Map.copyOf(snapshot);
        rebuild();
    }

    private void rebuild() {
        routes = RouteTable.build(++version, topics, brokers, routes);
        log.debug("Route table version {}: {} topics, {} brokers", version, topics.size(), brokers.size());
    }

    public RouteTable routes() {
        return routes;
    }

    /** The controller this nameserver runs (active or standing by), or null when disabled. */
    public Controller controller() {
        return controller;
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(controller);
        closeQuietly(brokerWatch);
        closeQuietly(topicWatch);
        closeQuietly(server);
        if (admin != null) {
            admin.shutdownNow();
        }
        log.info("Nameserver stopped");
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
