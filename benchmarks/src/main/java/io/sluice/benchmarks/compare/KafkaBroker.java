package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.ManagedProcess;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Real Apache Kafka brokers from the Maven artifacts, in KRaft mode: one node, or a cluster of several, each node
 * controller and broker at once, all listeners on 127.0.0.1 (free ports), a generated server.properties per node
 * with the shipped defaults that matter, the storage formatted with one fresh cluster id (kafka.tools.StorageTool),
 * then {@code kafka.Kafka} with the given JVM flags (kafka-run-class.sh's: {@link Jvms#KAFKA_BROKER}). Ready once
 * every node logs "Kafka Server started". Not thread-safe.
 */
final class KafkaBroker {
    private static final Pattern STARTED = Pattern.compile("Kafka Server started");

    private KafkaBroker() {
    }

    /** Started nodes and the bootstrap address of the cluster; closing stops every node. */
    record Started(List<ManagedProcess> processes, String bootstrap) implements AutoCloseable {
        @Override
        public void close() {
            processes.forEach(ManagedProcess::close);
        }
    }

    /**
     * Formats and starts {@code nodes} nodes (1 or 3) with their data under {@code dataDir}; on failure stops what
     * it started.
     */
    static Started start(String classpath, List<String> brokerFlags, Path dataDir, Path logDir, String label,
                         int nodes) throws Exception {
        int[] brokerPorts = new int[nodes];
        StringBuilder voters = new StringBuilder();
        List<String> listeners = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            brokerPorts[i] = freePort();
            int controllerPort = freePort();
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPort);
            listeners.add("PLAINTEXT://127.0.0.1:" + brokerPorts[i] + ",CONTROLLER://127.0.0.1:" + controllerPort);
        }
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Path nodeDir = dataDir.resolve("node-" + (i + 1));
            Files.createDirectories(nodeDir);
            Path config = nodeDir.resolve("server.properties");
            Files.writeString(config, properties(i + 1, voters.toString(), listeners.get(i), brokerPorts[i],
                    nodeDir.resolve("logs"), nodes));
            format(classpath, clusterId, config, nodeDir, logDir, label + (nodes == 1 ? "" : "-" + (i + 1)));
            configs.add(config);
        }
        List<ManagedProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                String name = label + (nodes == 1 ? "" : "-" + (i + 1));
                started.add(ManagedProcess.start(name, Jvms.command(brokerFlags, classpath, "kafka.Kafka",
                        List.of(configs.get(i).toString())), configs.get(i).getParent(), logDir.resolve(name + ".log"),
                        STARTED));
            }
            for (ManagedProcess p : started) {
                p.awaitReady(Duration.ofMinutes(3));
            }
        } catch (Exception e) {
            started.forEach(ManagedProcess::close);
            throw e;
        }
        StringBuilder bootstrap = new StringBuilder();
        for (int port : brokerPorts) {
            bootstrap.append(bootstrap.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        return new Started(List.copyOf(started), bootstrap.toString());
    }

    private static String properties(int nodeId, String voters, String listeners, int brokerPort, Path logDirs,
                                     int nodes) {
        int internalReplicas = Math.min(3, nodes);
        int internalMinIsr = Math.min(2, nodes);
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "listeners=" + listeners,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + logDirs,
                "num.partitions=8",
                "num.network.threads=3",
                "num.io.threads=8",
                "socket.send.buffer.bytes=102400",
                "socket.receive.buffer.bytes=102400",
                "socket.request.max.bytes=104857600",
                "log.segment.bytes=1073741824",
                "offsets.topic.replication.factor=" + internalReplicas,
                "transaction.state.log.replication.factor=" + internalReplicas,
                "transaction.state.log.min.isr=" + internalMinIsr,
                "share.coordinator.state.topic.replication.factor=" + internalReplicas,
                "share.coordinator.state.topic.min.isr=" + internalMinIsr,
                "group.initial.rebalance.delay.ms=0",
                "") + "\n";
    }

    private static void format(String classpath, String clusterId, Path config, Path nodeDir, Path logDir,
                               String name) throws Exception {
        List<String> cmd = Jvms.command(Jvms.peer("-Dlog4j2.configurationFile=kafka-client-log4j2.properties"),
                // "--cluster-id=<id>", not "-t <id>": a base64url id may start with '-', and the tool's argument
                // parser then takes it for an option ("expected one argument"; seen once in 64 runs, as expected)
                classpath, "kafka.tools.StorageTool", List.of("format", "--cluster-id=" + clusterId, "-c",
                        config.toString(), "--ignore-formatted"));
        // once seen on a loaded machine: exit 1 without a line of output; a second attempt is cheap
        String firstFailure = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            try (ManagedProcess storage = ManagedProcess.start(name + "-storage-format-" + attempt, cmd, nodeDir,
                    logDir.resolve(name + "-storage-format-" + attempt + ".log"), null)) {
                int exit = storage.awaitExit(Duration.ofMinutes(2));
                if (exit == 0) {
                    return;
                }
                String failure = "exit " + exit + storage.failureHint();
                if (firstFailure != null) {
                    throw new IllegalStateException("kafka storage format failed twice: (" + firstFailure
                            + ") then (" + failure + ")");
                }
                firstFailure = failure;
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
