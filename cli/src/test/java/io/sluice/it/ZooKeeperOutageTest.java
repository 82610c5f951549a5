package io.sluice.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.cli.SluiceCli;
import io.sluice.nameserver.NameServer;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ZooKeeper (embedded in the test) stops under a nameserver and a broker: {@code bin/sluice cluster} says the
 * registry is unreachable, since when, and why writes stall, instead of showing a healthy cluster; {@code topic
 * create} and {@code topic delete} fail at once with REGISTRY_UNAVAILABLE saying why, instead of timing out after
 * 30 s. Once ZooKeeper is back, {@code cluster} says connected and topics can be created again.
 */
class ZooKeeperOutageTest {
    @TempDir
    Path dir;

    private EmbeddedZooKeeper zookeeper;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String nameserver;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    private record Result(int code, String out, String err, long tookMs) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--nameserver";
        full[args.length + 1] = nameserver;
        long start = System.nanoTime();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private RegistryClient registry(String connect) {
        RegistryClient client = RegistryClient.connect(new RegistryConfig().connect(connect));
        open.add(client);
        return client;
    }

    @Test
    void clusterReportsTheOutageAndTopicChangesFailFast() throws Exception {
        zookeeper = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), "127.0.0.1", 0);
        int zkPort = zookeeper.port();
        String zk = zookeeper.connectString();
        NameServer ns = new NameServer(new NameServerConfig().port(0).metricsPort(-1), registry(zk),
                new SimpleMeterRegistry()).start();
        open.add(ns);
        nameserver = "127.0.0.1:" + ns.address().getPort();
        BrokerServer broker = new BrokerServer(new BrokerConfig().id(1).port(0).metricsPort(-1)
                .dataDir(dir.resolve("broker-1")), registry(zk), new SimpleMeterRegistry()).start();
        open.add(broker);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ns.routes().brokers().size() == 1);
        assertThat(run("topic", "create", "--topic", "before", "--partitions", "1").code()).isZero();

        Result healthy = run("cluster");
        assertThat(healthy.code()).as(healthy.err()).isZero();
        assertThat(healthy.out()).contains("Registry: connected to ZooKeeper at " + zk);
        long stoppedAtMs = System.currentTimeMillis();
        zookeeper.close();
        zookeeper = null;

        Result down = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> run("cluster"), r -> r.code() == 0 && !r.out().contains("Registry: connected"));
        assertThat(down.out()).containsPattern("Registry: (SUSPENDED|LOST) since ")
                .contains("cannot reach ZooKeeper at " + zk)
                .contains("acks=all").contains("freeze their high watermarks")
                .contains("REGISTRY_UNAVAILABLE").contains("leader elections")
                .contains("as last seen");
        System.out.println("ZooKeeperOutageTest: cluster during the outage:\n" + down.out());

        Result create = run("topic", "create", "--topic", "during", "--partitions", "1");
        assertThat(create.code()).isEqualTo(1);
        assertThat(create.err()).contains("REGISTRY_UNAVAILABLE").contains("topic 'during' was not created")
                .contains("ZooKeeper at " + zk);
        Result delete = run("topic", "delete", "--topic", "before");
        assertThat(delete.code()).isEqualTo(1);
        assertThat(delete.err()).contains("REGISTRY_UNAVAILABLE").contains("topic 'before' was not deleted");
        // the Admin's 30 s request timeout is what a client waited before; "at once" on a loaded machine
        assertThat(create.tookMs()).as("topic create during the outage").isLessThan(15_000);
        assertThat(delete.tookMs()).as("topic delete during the outage").isLessThan(15_000);
        System.out.printf("ZooKeeperOutageTest: zookeeper stopped %d ms before; topic create refused after %d ms,"
                + " delete after %d ms%n", System.currentTimeMillis() - stoppedAtMs, create.tookMs(), delete.tookMs());

        zookeeper = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), "127.0.0.1", zkPort);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> run("cluster").out().contains("Registry: connected"));
        Result after = run("topic", "create", "--topic", "after", "--partitions", "1");
        assertThat(after.code()).as(after.err()).isZero();
    }
}
