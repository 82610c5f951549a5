package io.sluice.it;

import io.sluice.cli.SluiceCli;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code consume --group}, {@code group list|describe|reset-offsets} against a standalone Sluice. */
class GroupCliTest {
    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    private record Result(int code, String out, String err) {
        List<String> lines() {
            return out.isBlank() ? List.of() : List.of(out.strip().split("\\R"));
        }
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--nameserver";
        full[args.length + 1] = standalone.nameservers();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    /** Sum of the LAG column of {@code group describe}. */
    private long totalLag(Result describe) {
        return sum(describe, 4);
    }

    /** Sum of a numeric column of the partition rows of {@code group describe} ("-" counts 0). */
    private long sum(Result describe, int column) {
        long total = 0;
        for (String line : describe.lines()) {
            String[] f = line.split("\t");
            if (f.length == 6 && f[0].equals("letters") && !f[column].equals("-")) {
                total += Long.parseLong(f[column]);
            }
        }
        return total;
    }

    /** Starts the standalone with topic {@code letters} of 3 partitions holding {@code records} records, v0, v1... */
    private void startWithLetters(int records) {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic("letters", 3, 1));
        }
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("letters", i % 3, null, "v" + i));
            }
            producer.flush();
        }
    }

    @Test
    void theIdleTimeoutCountsFromTheAssignmentNotFromTheStartOfASlowJoin() throws Exception {
        startWithLetters(9);
        // a member that joined and then stopped polling: the next join waits for it until its poll interval ends
        try (Consumer<String, String> stalled = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()).groupId("slow").maxPollIntervalMs(6_000)
                .enableAutoCommit(false), Serdes.string(), Serdes.string())) {
            stalled.subscribe(List.of("letters"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                stalled.poll(Duration.ofMillis(100));
                return !stalled.assignment().isEmpty();
            });
            Result r = run("consume", "--topic", "letters", "--group", "slow", "--from-beginning",
                    "--timeout-ms", "1000");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.lines()).as("read once the join completed, %s", r.err()).hasSize(9);
        }
    }

    @Test
    void consumeAsAGroupDescribeListAndResetOffsets() throws Exception {
        startWithLetters(30);

        Result first = run("consume", "--topic", "letters", "--group", "readers", "--from-beginning",
                "--max-messages", "12");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.lines()).hasSize(12);

        Result list = run("group", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("readers\tEMPTY");

        Result describe = run("group", "describe", "--group", "readers");
        assertThat(describe.code()).as(describe.err()).isZero();
        assertThat(describe.out()).contains("COMMITTED").contains("LAG");
        assertThat(sum(describe, 2)).as("committed offsets after 12 records\n%s", describe.out()).isEqualTo(12);

        Result rest = run("consume", "--topic", "letters", "--group", "readers", "--from-beginning",
                "--max-messages", "18", "--timeout-ms", "60000");
        assertThat(rest.code()).as(rest.err()).isZero();
        Set<String> all = new HashSet<>(first.lines());
        all.addAll(rest.lines());
        assertThat(all).hasSize(30);
        assertThat(totalLag(run("group", "describe", "--group", "readers"))).isZero();

        Result reset = run("group", "reset-offsets", "--group", "readers", "--topic", "letters", "--to-earliest");
        assertThat(reset.code()).as(reset.err()).isZero();
        assertThat(totalLag(run("group", "describe", "--group", "readers"))).isEqualTo(30);
        assertThat(run("group", "reset-offsets", "--group", "readers", "--topic", "letters", "--to-offset", "4")
                .code()).isZero();
        assertThat(totalLag(run("group", "describe", "--group", "readers"))).isEqualTo(18);

        try (GroupConsumer member = new GroupConsumer(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers())
                .groupId("readers"), "letters")) {
            Awaitility.await("the member owning the three partitions").atMost(Duration.ofSeconds(60))
                    .until(() -> member.assignment.get().size() == 3);
            Result active = run("group", "describe", "--group", "readers");
            assertThat(active.out()).contains("STABLE").contains("1 members");
            Result refused = run("group", "reset-offsets", "--group", "readers", "--topic", "letters",
                    "--to-latest");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("active members");
        }

        List<String> topics = new ArrayList<>(run("topic", "list").lines());
        assertThat(topics).contains("letters").doesNotContain("__consumer_offsets");
        assertThat(run("topic", "list", "--include-internal").out()).contains("__consumer_offsets\t(internal)");
    }
}
