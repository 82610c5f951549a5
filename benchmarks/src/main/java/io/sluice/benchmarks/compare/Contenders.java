package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.ManagedProcess;
import io.sluice.benchmarks.load.ServerMain;
import io.sluice.benchmarks.load.WideWorkload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The contenders of a comparison: Sluice and Kafka on messaging; Sluice (ZooKeeper, a nameserver and three brokers)
 * and Kafka (three KRaft nodes) on replicated produce; Sluice and Kafka on the wide suite, on fresh servers for each
 * partition count of its curve and for its replicated workload; Sluice, Dubbo and gRPC on RPC. Each runs its
 * server and its load generator in JVMs of their own, with its own classpath, and checks that the server listens
 * on loopback only. Stateless apart from the settings; thread-compatible.
 */
final class Contenders {
    private static final Pattern SLUICE_READY = Pattern.compile("Sluice standalone ready: .*nameserver=(\\S+)");
    private static final Pattern ZOOKEEPER_READY = Pattern.compile("ZooKeeper ready: (\\S+)");
    private static final Pattern NAMESERVER_READY = Pattern.compile("Nameserver ready: (\\S+)");
    private static final Pattern BROKER_READY = Pattern.compile("Broker ready: ");
    /** ZooKeeper and the nameserver of the replicated cluster hold little: a smaller heap than the brokers'. */
    private static final List<String> CLUSTER_TOOL_HEAP = List.of("-Xms256m", "-Xmx256m");
    private static final Pattern PROVIDER_READY = Pattern.compile(Pattern.quote(ServerMain.READY) + "(\\d+)");

    private final CompareSettings settings;
    private final Jvms jvms;
    private final Peers peers;

    Contenders(CompareSettings settings, Jvms jvms, Peers peers) {
        this.settings = settings;
        this.jvms = jvms;
        this.peers = peers;
    }

    /** Sluice first, then each peer, per suite: the order of every round. */
    List<Contender> all() {
        List<Contender> out = new ArrayList<>();
        if (settings.runs("messaging")) {
            out.add(sluiceMessaging("messaging", null, settings.messagingWorkloads));
            if (settings.runs("messaging", "kafka")) {
                out.add(kafka(1, "messaging", null, settings.messagingWorkloads));
            }
        }
        if (settings.runs("replicated")) {
            out.add(sluiceReplicated("replicated", null, CompareSettings.REPLICATED_WORKLOADS));
            if (settings.runs("replicated", "kafka")) {
                out.add(kafka(3, "replicated", null, CompareSettings.REPLICATED_WORKLOADS));
            }
        }
        if (settings.runs("wide")) {
            // every point of the curve on fresh servers, so no point runs beside the partitions of another
            for (int partitions : settings.widePoints) {
                List<String> workloads = CompareSettings.wideWorkloads(partitions);
                out.add(sluiceMessaging("wide", "wide-" + partitions, workloads));
                if (settings.runs("wide", "kafka")) {
                    out.add(kafka(1, "wide", "wide-" + partitions, workloads));
                }
            }
            if (settings.wideRf3Partitions > 0) {
                List<String> workloads = List.of(new WideWorkload(WideWorkload.RF3_PRODUCE,
                        settings.wideRf3Partitions).name());
                String logs = "wide-rf3-" + settings.wideRf3Partitions;
                out.add(sluiceReplicated("wide", logs, workloads));
                if (settings.runs("wide", "kafka")) {
                    out.add(kafka(3, "wide", logs, workloads));
                }
            }
        }
        if (settings.runs("rpc")) {
            List<Contender> rpcPeers = new ArrayList<>();
            if (settings.runs("rpc", "dubbo")) {
                rpcPeers.add(rpc("dubbo", peers.classpath("dubbo"), Jvms.peer(), Jvms.peer(),
                        "io.sluice.benchmarks.peer.dubbo.DubboRpcProvider",
                        "io.sluice.benchmarks.peer.dubbo.DubboRpcLoad"));
            }
            if (settings.runs("rpc", "grpc")) {
                rpcPeers.add(rpc("grpc", peers.classpath("grpc"), Jvms.peer(), Jvms.peer(),
                        "io.sluice.benchmarks.peer.grpc.GrpcRpcProvider",
                        "io.sluice.benchmarks.peer.grpc.GrpcRpcLoad"));
            }
            Contender sluice = rpc("sluice", Jvms.sluiceClasspath(), jvms.sluice(true), jvms.sluice(false),
                    SluiceRpcProvider.class.getName(), SluiceRpcLoad.class.getName());
            out.add(sluice);
            out.addAll(rpcPeers);
        }
        return out;
    }

    /** Sluice standalone; {@code logs} names a sub-directory of the round's logs for this contender, or null. */
    private Contender sluiceMessaging(String suite, String logs, List<String> workloads) {
        return new MessagingContender("sluice", suite, logs, (data, logDir) -> {
            List<String> cmd = Jvms.command(jfr(jvms.sluice(true), logDir, "sluice-standalone"),
                    Jvms.sluiceClasspath(), "io.sluice.cli.SluiceCli",
                    List.of("standalone", "--data-dir", data.toString(), "--zookeeper-port", "0",
                            "--nameserver-port", "0", "--broker-port", "0", "--metrics-port", "-1"));
            ManagedProcess server = ManagedProcess.start("sluice-standalone", cmd, data,
                    logDir.resolve("sluice-standalone.log"), SLUICE_READY);
            Matcher ready = server.awaitReady(Duration.ofMinutes(2));
            return new Server(List.of(server), ready.group(1));
        }, Jvms.sluiceClasspath(), jvms.sluice(false), SluiceMessagingLoad.class.getName(), workloads);
    }

    /**
     * A Sluice cluster as separate processes, as a user runs one: ZooKeeper, one nameserver and three brokers (each
     * with bin/sluice's heap), all on free loopback ports.
     */
    private Contender sluiceReplicated(String suite, String logs, List<String> workloads) {
        return new MessagingContender("sluice", suite, logs, (data, logDir) -> {
            List<ManagedProcess> started = new ArrayList<>();
            try {
                // every JVM starts at once (ZooKeeper on a port chosen here): the others wait for it to listen
                String registry = "127.0.0.1:" + KafkaBroker.freePort();
                String waitForZooKeeper = "sluice.registry.connection.timeout.ms=120000";
                ManagedProcess zk = sluiceServer(started, "sluice-zookeeper", CLUSTER_TOOL_HEAP, data, logDir,
                        ZOOKEEPER_READY, List.of("zookeeper", "--port", registry.substring(registry.indexOf(':') + 1),
                                "--data-dir", data.resolve("zookeeper").toString()));
                ManagedProcess ns = sluiceServer(started, "sluice-nameserver", CLUSTER_TOOL_HEAP, data, logDir,
                        NAMESERVER_READY, List.of("nameserver", "--registry", registry, "--port", "0",
                                "--metrics-port", "-1", "--set", waitForZooKeeper));
                List<ManagedProcess> brokers = new ArrayList<>();
                for (int id = 1; id <= 3; id++) {
                    brokers.add(sluiceServer(started, "sluice-broker-" + id, List.of(), data, logDir, BROKER_READY,
                            List.of("broker", "--registry", registry, "--id", Integer.toString(id), "--port", "0",
                                    "--metrics-port", "-1", "--data-dir", data.resolve("broker-" + id).toString(),
                                    "--set", waitForZooKeeper)));
                }
                zk.awaitReady(Duration.ofMinutes(2));
                String nameserver = ns.awaitReady(Duration.ofMinutes(2)).group(1);
                for (ManagedProcess b : brokers) {
                    b.awaitReady(Duration.ofMinutes(2));
                }
                // stopped brokers first, then the nameserver, ZooKeeper last
                List<ManagedProcess> stopOrder = new ArrayList<>(brokers);
                stopOrder.add(ns);
                stopOrder.add(zk);
                return new Server(stopOrder, nameserver);
            } catch (Exception e) {
                for (int i = started.size() - 1; i >= 0; i--) {
                    started.get(i).close();
                }
                throw e;
            }
        }, Jvms.sluiceClasspath(), jvms.sluice(false), SluiceMessagingLoad.class.getName(), workloads);
    }

    private ManagedProcess sluiceServer(List<ManagedProcess> started, String name, List<String> heap, Path data,
                                        Path logDir, Pattern ready, List<String> args) throws IOException {
        List<String> flags = new ArrayList<>(jvms.sluice(true));
        flags.addAll(heap);
        ManagedProcess p = ManagedProcess.start(name, Jvms.command(jfr(flags, logDir, name), Jvms.sluiceClasspath(),
                "io.sluice.cli.SluiceCli", args), data, logDir.resolve(name + ".log"), ready);
        started.add(p);
        return p;
    }

    /** Kafka on {@code nodes} nodes (1, or 3 for the replicated workloads). */
    private Contender kafka(int nodes, String suite, String logs, List<String> workloads) {
        String cp = peers.classpath("kafka");
        String label = nodes == 1 ? "kafka-broker" : "kafka-node";
        return new MessagingContender("kafka", suite, logs, (data, logDir) -> {
            KafkaBroker.Started cluster = KafkaBroker.start(cp, jfr(Jvms.KAFKA_BROKER, logDir, label), data,
                    logDir, label, nodes);
            return new Server(cluster.processes(), cluster.bootstrap());
        }, cp, Jvms.peer("-Dlog4j2.configurationFile=kafka-client-log4j2.properties"),
                "io.sluice.benchmarks.peer.kafka.KafkaMessagingLoad", workloads);
    }

    private Contender rpc(String system, String classpath, List<String> providerFlags, List<String> loadFlags,
                          String providerMain, String loadMain) {
        return new Contender() {
            @Override
            public String system() {
                return system;
            }

            @Override
            public String suite() {
                return "rpc";
            }

            @Override
            public List<String> workloads() {
                return CompareSettings.RPC_OPS.stream().map(op -> "rpc-" + op).toList();
            }

            @Override
            public List<String> runRound(Path logDir) throws Exception {
                int port = KafkaBroker.freePort();
                List<String> cmd = Jvms.command(jfr(providerFlags, logDir, system + "-rpc-provider"), classpath,
                        providerMain,
                        List.of("--port", Integer.toString(port)));
                try (ManagedProcess provider = ManagedProcess.start(system + "-provider", cmd, logDir,
                        logDir.resolve(system + "-rpc-provider.log"), PROVIDER_READY)) {
                    int actual = Integer.parseInt(provider.awaitReady(Duration.ofMinutes(2)).group(1));
                    checkLoopback(provider);
                    long budgetMs = CompareSettings.RPC_OPS.size() * (settings.rpcWarmupMs + settings.rpcOpWarmupMs
                            + settings.rpcMeasureMs + 1_000) + 120_000;
                    return runLoad(system + "-rpc-load", Jvms.command(jfr(loadFlags, logDir, system + "-rpc-load"),
                            classpath, loadMain,
                            settings.rpcArgs(actual)), logDir, Duration.ofMillis(budgetMs));
                }
            }
        };
    }

    /** Starts a server with its data under a directory; returns it with its bootstrap address. */
    @FunctionalInterface
    interface ServerStarter {
        Server start(Path dataDir, Path logDir) throws Exception;
    }

    /** The server processes of a system and the address its clients start from; closing stops them all. */
    record Server(List<ManagedProcess> processes, String bootstrap) implements AutoCloseable {
        @Override
        public void close() {
            processes.forEach(ManagedProcess::close);
        }
    }

    private final class MessagingContender implements Contender {
        private final String system;
        private final String suite;
        private final String logs;
        private final ServerStarter starter;
        private final String loadClasspath;
        private final List<String> loadFlags;
        private final String loadMain;
        private final List<String> workloads;

        MessagingContender(String system, String suite, String logs, ServerStarter starter, String loadClasspath,
                           List<String> loadFlags, String loadMain, List<String> workloads) {
            this.workloads = workloads;
            this.system = system;
            this.suite = suite;
            this.logs = logs;
            this.starter = starter;
            this.loadClasspath = loadClasspath;
            this.loadFlags = loadFlags;
            this.loadMain = loadMain;
        }

        @Override
        public String system() {
            return system;
        }

        @Override
        public String suite() {
            return suite;
        }

        @Override
        public List<String> workloads() {
            return workloads;
        }

        @Override
        public List<String> runRound(Path roundLogs) throws Exception {
            Path logDir = logs == null ? roundLogs : Files.createDirectories(roundLogs.resolve(logs));
            Path data = Files.createTempDirectory("sluice-bench-" + system + "-");
            try {
                try (Server server = starter.start(data, logDir)) {
                    for (ManagedProcess p : server.processes()) {
                        checkLoopback(p);
                    }
                    String name = system + "-" + suite() + "-load";
                    return runLoad(name, Jvms.command(jfr(loadFlags, logDir, name), loadClasspath, loadMain,
                            settings.messagingArgs(server.bootstrap(), workloads)), logDir,
                            Duration.ofMinutes(settings.quick ? 5 : 20));
                }
            } finally {
                deleteTree(data);
            }
        }
    }

    /** {@code flags}, plus a flight recording into {@code logDir/name.jfr} when the run asked for one. */
    private List<String> jfr(List<String> flags, Path logDir, String name) {
        if (!settings.jfr) {
            return flags;
        }
        List<String> out = new ArrayList<>(flags);
        out.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                + logDir.resolve(name + ".jfr"));
        return out;
    }

    private static void checkLoopback(ManagedProcess server) throws IOException {
        List<String> listening = LoopbackCheck.requireLoopbackOnly(server.name(), server.pid());
        Files.writeString(server.log().resolveSibling(server.name() + "-listening.txt"),
                String.join("\n", listening) + "\n");
    }

    private static List<String> runLoad(String name, List<String> cmd, Path logDir, Duration budget)
            throws Exception {
        try (ManagedProcess load = ManagedProcess.start(name, cmd, logDir, logDir.resolve(name + ".log"), null)) {
            int exit = load.awaitExit(budget);
            List<String> results = load.resultLines();
            if (results.isEmpty()) {
                throw new IllegalStateException(name + " reported nothing (exit " + exit + ")" + load.failureHint());
            }
            return results;
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }
}
