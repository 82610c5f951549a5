package io.sluice.it;

import io.sluice.cli.SluiceCli;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command-line tools against a running standalone Sluice: topic admin, produce from stdin, consume, bench. */
class CliTest {
    @TempDir
    static Path dir;

    private static Standalone standalone;

    @BeforeAll
    static void start() {
        StandaloneSettings settings = StandaloneSettings.forTests(dir, 1);
        settings.nameserver().defaultPartitions(3);
        standalone = Standalone.start(settings);
    }

    @AfterAll
    static void stop() {
        standalone.close();
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--nameserver";
        full[args.length + 1] = standalone.nameservers();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    private static Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Result runWithStdin(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void topicCreateListDescribe() {
        Result created = run("topic", "create", "--topic", "orders", "--partitions", "8");
        assertThat(created.code()).as(created.err()).isZero();
        Result list = run("topic", "list");
        assertThat(list.out().lines()).contains("orders");
        Result described = run("topic", "describe", "--topic", "orders");
        assertThat(described.code()).isZero();
        assertThat(described.out()).contains("Partitions: 8").contains("LogEnd");
        assertThat(described.out().lines().filter(l -> l.matches("^\\d+\\s+0\\s+.*"))).hasSize(8);
        Result again = run("topic", "create", "--topic", "orders", "--partitions", "8");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("TOPIC_ALREADY_EXISTS");
    }

    @Test
    void topicCreateRefusesCountsBelowOneAndLeavesOmittedOnesToTheNameserver() {
        Result noPartitions = run("topic", "create", "--topic", "zero", "--partitions", "0");
        assertThat(noPartitions.code()).isEqualTo(1);
        assertThat(noPartitions.err()).contains("INVALID_PARTITIONS").contains("at least 1, not 0");
        Result noReplicas = run("topic", "create", "--topic", "zero", "--replication-factor", "0");
        assertThat(noReplicas.code()).isEqualTo(1);
        assertThat(noReplicas.err()).contains("INVALID_REPLICATION_FACTOR").contains("at least 1, not 0");
        assertThat(run("topic", "list").out().lines()).doesNotContain("zero");

        Result defaults = run("topic", "create", "--topic", "defaults");
        assertThat(defaults.code()).as(defaults.err()).isZero();
        assertThat(defaults.out()).contains("with 3 partitions and replication factor 1");   // the nameserver's 3
        assertThat(run("topic", "describe", "--topic", "defaults").out()).contains("Partitions: 3");
    }

    @Test
    void consumeOfAPartitionTheTopicDoesNotHaveNamesTheValidOnes() {
        assertThat(run("topic", "create", "--topic", "two", "--partitions", "2").code()).isZero();
        for (String partition : new String[] {"99", "-1"}) {
            Result r = run("consume", "--topic", "two", "--partition", partition, "--from-beginning",
                    "--timeout-ms", "100");
            assertThat(r.code()).as("--partition %s", partition).isEqualTo(1);
            assertThat(r.err()).contains("UNKNOWN_PARTITION: topic 'two' has partitions 0..1, not " + partition)
                    .doesNotContain("Exception");
        }
    }

    @Test
    void producingToAnInvalidTopicNameIsInvalidTopicNotAnUnknownTopicLater() {
        Result r = runWithStdin("x\n", "produce", "--topic", "bad/name");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("INVALID_TOPIC: topic name 'bad/name' is invalid").doesNotContain("UNKNOWN_TOPIC");
    }

    @Test
    void aNameserverAddressWhereNothingListensIsSaidSoNotBlamedOnTheTopic() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + port;
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream("x\n".getBytes(StandardCharsets.UTF_8)));
        Result produced;
        try {
            produced = runRaw("produce", "--topic", "lines", "--nameserver", nowhere);
        } finally {
            System.setIn(saved);
        }
        Result consumed = runRaw("consume", "--topic", "lines", "--from-beginning", "--max-messages", "1",
                "--nameserver", nowhere);
        Result created = runRaw("topic", "create", "--topic", "lines", "--nameserver", nowhere);
        assertThat(created.err()).contains("nothing was sent");
        for (Result r : List.of(produced, consumed, created)) {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("error: NETWORK_ERROR: ")
                    .contains("no nameserver can be reached at [/" + nowhere + "]").doesNotContain("UNKNOWN_TOPIC");
        }
    }

    @Test
    void anExplicitOffsetOutsideThePartitionIsAnErrorNamingItsOffsets() {
        assertThat(run("topic", "create", "--topic", "short", "--partitions", "1").code()).isZero();
        assertThat(runWithStdin("a\nb\nc\n", "produce", "--topic", "short").code()).isZero();
        for (String offset : new String[] {"7", "-2"}) {
            Result r = run("consume", "--topic", "short", "--partition", "0", "--offset", offset, "--max-messages", "1");
            assertThat(r.code()).as("--offset %s", offset).isEqualTo(1);
            assertThat(r.err()).contains("OFFSET_OUT_OF_RANGE: --offset " + offset + " is outside short-0, which holds"
                    + " offsets 0 to 3");
        }
        Result fromOne = run("consume", "--topic", "short", "--partition", "0", "--offset", "1", "--max-messages", "2");
        assertThat(fromOne.code()).as(fromOne.err()).isZero();
        assertThat(fromOne.out().lines()).containsExactly("b", "c");
    }

    @Test
    void anUnknownCommandIsAnErrorEvenWhenHelpFollowsIt() {
        Result top = runRaw("acl", "--help");
        assertThat(top.code()).isEqualTo(2);
        assertThat(top.err()).contains("'sluice acl' is not a command").contains("topic");
        assertThat(top.out()).doesNotContain("Usage");
        Result nested = runRaw("topic", "frob", "--help");
        assertThat(nested.code()).isEqualTo(2);
        assertThat(nested.err()).contains("'sluice topic frob' is not a command").contains("create");
        assertThat(runRaw("topic", "--help").code()).isZero();
        assertThat(runRaw("help", "topic").code()).isZero();
    }

    @Test
    void produceLinesThenConsumeThemBack() {
        assertThat(run("topic", "create", "--topic", "lines", "--partitions", "1").code()).isZero();
        Result produced = runWithStdin("alpha\nk2:beta\ngamma\n", "produce", "--topic", "lines",
                "--key-separator", ":");
        assertThat(produced.code()).as(produced.err()).isZero();
        assertThat(produced.err()).contains("Produced 3 of 3");
        Result consumed = run("consume", "--topic", "lines", "--from-beginning", "--max-messages", "3",
                "--print-key", "--print-offset");
        assertThat(consumed.code()).as(consumed.err()).isZero();
        assertThat(consumed.out().lines()).containsExactly("0\tnull\talpha", "1\tk2\tbeta", "2\tnull\tgamma");
    }

    @Test
    void unknownTopicIsAClearError() {
        Result r = run("consume", "--topic", "nope", "--from-beginning", "--max-messages", "1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("UNKNOWN_TOPIC").contains("nope");
    }

    @Test
    void benchProducePrintsThroughputAndLatency() {
        Result r = run("bench", "produce", "--topic", "bench", "--messages", "20000", "--size", "100",
                "--partitions", "4");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("20000 records of 100 bytes").contains("msgs/s").contains("p99.9");
        Result c = run("bench", "consume", "--topic", "bench", "--messages", "20000");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("consumed 20000 records");
        Result g = run("bench", "consume", "--topic", "bench", "--messages", "20000", "--group", "bench-group",
                "--members", "3");
        assertThat(g.code()).as(g.err()).isZero();
        assertThat(g.out()).contains("3 members, 4 partitions: consumed 20000 records")
                .contains("including the join: ").contains("after the join");
    }

    @Test
    void rpcDemoCallsEveryProviderAndListShowsThem() {
        Result demo = runRaw("rpc", "demo", "--providers", "2", "--calls", "200");
        assertThat(demo.code()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("200 calls").contains("0 failed").contains("provider-1 ").contains("provider-2 ")
                .contains("p99=");
        Result list = runRaw("rpc", "list", "--registry", "zookeeper://" + standalone.zookeeperAddress());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("no RPC services registered");
    }
}
