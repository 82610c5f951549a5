package io.sluice.benchmarks.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A real Apache Kafka broker from the Maven artifacts, in KRaft mode: one node that is controller and broker, both
 * listeners on 127.0.0.1 (free ports), a generated server.properties with the shipped defaults that matter, the
 * storage formatted with a fresh cluster id (kafka.tools.StorageTool), then {@code kafka.Kafka} with the given JVM
 * flags (kafka-run-class.sh's: {@link Jvms#KAFKA_BROKER}). Ready once it logs "Kafka Server started". Not thread-safe.
 */
final class KafkaBroker {
    private static final Pattern STARTED = Pattern.compile("Kafka Server started");

    private KafkaBroker() {
    }

    /** Formats and starts a broker with data under {@code dataDir}; returns the process and its bootstrap address. */
    static Started start(String classpath, List<String> brokerFlags, Path dataDir, Path logDir, String label)
            throws Exception {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Files.createDirectories(dataDir);
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs"),
                "num.partitions=8",
                "num.network.threads=3",
                "num.io.threads=8",
                "socket.send.buffer.bytes=102400",
                "socket.receive.buffer.bytes=102400",
                "socket.request.max.bytes=104857600",
                "log.segment.bytes=1073741824",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") + "\n");
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        List<String> format = Jvms.command(Jvms.peer("-Dlog4j2.configurationFile=kafka-client-log4j2.properties"),
                classpath, "kafka.tools.StorageTool", List.of("format", "-t", clusterId, "-c", config.toString()));
        try (ManagedProcess storage = ManagedProcess.start("kafka-storage-format", format, dataDir,
                logDir.resolve(label + "-storage-format.log"), null)) {
            int exit = storage.awaitExit(Duration.ofMinutes(2));
            if (exit != 0) {
                throw new IllegalStateException("kafka storage format failed (exit " + exit + ")"
                        + storage.failureHint());
            }
        }
        List<String> cmd = Jvms.command(brokerFlags, classpath, "kafka.Kafka", List.of(config.toString()));
        ManagedProcess broker = ManagedProcess.start(label, cmd, dataDir, logDir.resolve(label + ".log"), STARTED);
        broker.awaitReady(Duration.ofMinutes(2));
        return new Started(broker, "127.0.0.1:" + brokerPort);
    }

    /** A started broker. */
    record Started(ManagedProcess process, String bootstrap) {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
