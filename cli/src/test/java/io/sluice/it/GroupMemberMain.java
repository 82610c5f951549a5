package io.sluice.it;

import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRebalanceListener;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.ConsumerRecords;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;

/**
 * A group member in a JVM of its own, for tests: reads {@code topic} as part of {@code group} and appends to
 * {@code journal} one line per record read ({@code R partition offset}), per offset committed after
 * {@code commitSync} returned ({@code C partition offset}) and per assignment ({@code A p,p,...}). Commits after
 * every poll. Runs until killed.
 *
 * <p>Args: nameservers group topic journal
 */
public final class GroupMemberMain {
    private GroupMemberMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsumerConfig config = new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(args[0]).groupId(args[1]).enableAutoCommit(false)
                .maxPollRecords(50);
        try (Writer out = new OutputStreamWriter(new FileOutputStream(args[3], true), StandardCharsets.UTF_8);
             Consumer<String, String> consumer = Consumer.create(config, Serdes.string(), Serdes.string())) {
            consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    try {
                        out.write("A " + partitions.stream().map(tp -> String.valueOf(tp.partition()))
                                .sorted().collect(Collectors.joining(",")) + "\n");
                        out.flush();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            System.out.println("MEMBER READY");
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, Long> next = new HashMap<>();
                StringBuilder lines = new StringBuilder();
                for (ConsumerRecord<String, String> r : records) {
                    lines.append("R ").append(r.partition()).append(' ').append(r.offset()).append('\n');
                    next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                out.write(lines.toString());
                out.flush();
                try {
                    consumer.commitSync(next);
                } catch (RuntimeException e) {
                    System.err.println("commit failed: " + e);
                    continue;
                }
                StringBuilder commits = new StringBuilder();
                next.forEach((tp, o) -> commits.append("C ").append(tp.partition()).append(' ').append(o).append('\n'));
                out.write(commits.toString());
                out.flush();
                Thread.sleep(20); // pacing, not waiting: a slow consumer, so that a kill lands between commits
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
