package io.sluice.it;

import io.sluice.cli.SluiceCli;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code topic create} and {@code topic delete} whose answer is lost: the request reaches the nameserver and is
 * carried out, but the connection dies before the answer arrives (a TCP proxy drops it). The admin client asks
 * again at the next nameserver address, finds out what the lost request did and the CLI says so, instead of
 * failing with NETWORK_ERROR and leaving the user to guess whether the topic exists.
 */
class TopicChangeRetryTest {
    @TempDir
    Path dir;

    private Standalone cluster;
    private TcpProxy proxy;
    /** The proxy first (its answers get lost), the nameserver itself second. */
    private String nameservers;

    @BeforeEach
    void start() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 1));
        proxy = TcpProxy.start(cluster.nameservers());
        nameservers = proxy.address() + "," + cluster.nameservers();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--nameserver";
        full[args.length + 1] = nameservers;
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void aCreateWhoseAnswerWasLostIsConfirmedByTheRetry() {
        proxy.loseNextAnswer();
        Result created = run("topic", "create", "--topic", "orders", "--partitions", "3", "--config",
                "retention.ms=3600000");

        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).contains("Created topic orders with 3 partitions")
                .contains("the answer to an earlier attempt was lost (NETWORK_ERROR")
                .contains("a retry found topic orders with exactly the requested settings (3 partitions,"
                        + " replication factor 1, configs {retention.ms=3600000})");
        assertThat(cluster.nameserver().routes().route("orders").partitions).hasSize(3);
    }

    @Test
    void aLostCreateAnswerThenADifferentTopicOfThatNameIsReportedAsSuch() {
        nameservers = cluster.nameservers();
        assertThat(run("topic", "create", "--topic", "orders", "--partitions", "1").code()).isZero();
        nameservers = proxy.address() + "," + cluster.nameservers();

        proxy.loseNextAnswer();
        Result again = run("topic", "create", "--topic", "orders", "--partitions", "4");

        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("TOPIC_ALREADY_EXISTS")
                .contains("a different topic of that name exists (1 partitions, asked 4)")
                .contains("this call did not create it");
    }

    @Test
    void aDeleteWhoseAnswerWasLostIsConfirmedByTheRetry() {
        nameservers = cluster.nameservers();
        assertThat(run("topic", "create", "--topic", "gone", "--partitions", "1").code()).isZero();
        nameservers = proxy.address() + "," + cluster.nameservers();

        proxy.loseNextAnswer();
        Result deleted = run("topic", "delete", "--topic", "gone");

        assertThat(deleted.code()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("Deleted topic gone.")
                .contains("a retry found no topic gone: the lost request deleted it");
        assertThat(cluster.nameserver().routes().topicNames()).doesNotContain("gone");
    }

    @Test
    void deletingATopicThatNeverExistedFailsAtOnce() {
        Result missing = run("topic", "delete", "--topic", "never");

        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("UNKNOWN_TOPIC");
    }
}
