package io.sluice.cli;

import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.PartitionInfo;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code sluice consume}: prints records, one value per line (options add key, partition, offset, timestamp). */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Print records of a topic, one per line. Without --partition it reads every partition.")
final class ConsumeCommand implements Runnable {
    @Mixin
    NameserverOption ns;
    @Option(names = "--topic", required = true, description = "Topic to read.")
    String topic;
    @Option(names = "--partition", description = "Read only this partition.")
    Integer partition;
    @Option(names = "--group", description = "Read as a member of this consumer group: the group shares the"
            + " partitions and resumes from its committed offsets (printed records are committed). Partitions"
            + " without a committed offset start at the log end, or at the oldest record with --from-beginning.")
    String group;
    @Option(names = "--strategy", description = "With --group: partition.assignment.strategy, e.g. range, roundrobin,"
            + " cooperative-sticky (default: range).")
    String strategy;
    @Option(names = "--broadcast", paramLabel = "INSTANCE", description = "With --group: broadcast consumption; read"
            + " every partition, with this instance's own offsets (committed under GROUP@INSTANCE).")
    String broadcastInstance;
    @ArgGroup(exclusive = true)
    StartAt start = new StartAt();
    @Option(names = "--max-messages", description = "Exit after this many records.")
    Long maxMessages;
    @Option(names = "--timeout-ms", description = "Exit when no record arrives for this long.")
    Long timeoutMs;
    @Option(names = "--print-key", description = "Print the key before the value.")
    boolean printKey;
    @Option(names = "--print-partition", description = "Print the partition.")
    boolean printPartition;
    @Option(names = "--print-offset", description = "Print the offset.")
    boolean printOffset;
    @Option(names = "--print-timestamp", description = "Print the timestamp (ms since the epoch).")
    boolean printTimestamp;
    @Option(names = "--separator", defaultValue = "\t", description = "Field separator (default: tab).")
    String separator;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class StartAt {
        @Option(names = "--from-beginning", description = "Start at the oldest record (default: only new records).")
        boolean fromBeginning;
        @Option(names = "--offset", description = "Start at this offset (needs --partition).")
        Long offset;
    }

    @Override
    public void run() {
        if (start.offset != null && partition == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        if (group != null && (partition != null || start.offset != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--group reads the partitions the group assigns: drop --partition/--offset");
        }
        if (group == null && (strategy != null || broadcastInstance != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--strategy and --broadcast need"
                    + " --group");
        }
        ConsumerConfig config = new ConsumerConfig().nameservers(ns.nameservers);
        if (group != null) {
            if (strategy != null) {
                config.partitionAssignmentStrategy(strategy);
            }
            if (broadcastInstance != null) {
                config.broadcast(true).groupInstanceId(broadcastInstance);
            }
            config.groupId(group).enableAutoCommit(false).autoOffsetReset(start.fromBeginning
                    ? ConsumerConfig.AutoOffsetReset.EARLIEST : ConsumerConfig.AutoOffsetReset.LATEST);
            consumeAsGroup(config);
            return;
        }
        PrintWriter out = spec.commandLine().getOut();
        long count = 0;
        try (Consumer<String, String> consumer = Consumer.create(config, Serdes.string(), Serdes.string())) {
            List<TopicPartition> tps = new ArrayList<>();
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            if (partition != null) {
                if (partition < 0 || partition >= partitions.size()) {
                    throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic + "' has partitions 0.."
                            + (partitions.size() - 1) + ", not " + partition);
                }
                tps.add(new TopicPartition(topic, partition));
            } else {
                for (PartitionInfo p : partitions) {
                    tps.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(tps);
            if (start.offset != null) {
                TopicPartition tp = tps.get(0);
                long first = consumer.beginningOffsets(tps).get(tp);
                long end = consumer.endOffsets(tps).get(tp);
                if (start.offset < first || start.offset > end) {
                    throw new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "--offset " + start.offset + " is outside "
                            + tp + ", which holds offsets " + first + " to " + end + " (its log end)");
                }
                consumer.seek(tp, start.offset);
            } else if (start.fromBeginning) {
                consumer.seekToBeginning(tps);
            } else {
                consumer.seekToEnd(tps);
            }
            long lastRecordAt = System.nanoTime();
            while (maxMessages == null || count < maxMessages) {
                boolean any = false;
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    any = true;
                    print(out, r);
                    if (maxMessages != null && ++count >= maxMessages) {
                        break;
                    } else if (maxMessages == null) {
                        count++;
                    }
                }
                out.flush();
                if (any) {
                    lastRecordAt = System.nanoTime();
                } else if (timeoutMs != null && System.nanoTime() - lastRecordAt > timeoutMs * 1_000_000L) {
                    break;
                }
            }
        }
        out.flush();
        spec.commandLine().getErr().println("Consumed " + count + " records.");
    }

    /** Subscribes as a group member; commits each printed record (none beyond --max-messages). */
    private void consumeAsGroup(ConsumerConfig config) {
        PrintWriter out = spec.commandLine().getOut();
        long count = 0;
        try (Consumer<String, String> consumer = Consumer.create(config, Serdes.string(), Serdes.string())) {
            consumer.subscribe(List.of(topic));
            long lastRecordAt = System.nanoTime();
            while (maxMessages == null || count < maxMessages) {
                Map<TopicPartition, Long> printed = new HashMap<>();
                Set<TopicPartition> assignedBefore = consumer.assignment();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (maxMessages != null && count >= maxMessages) {
                        break;
                    }
                    print(out, r);
                    count++;
                    printed.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                out.flush();
                if (!printed.isEmpty()) {
                    consumer.commitSync(printed);
                    lastRecordAt = System.nanoTime();
                } else if (consumer.assignment().isEmpty() || !consumer.assignment().equals(assignedBefore)) {
                    // joining or rebalancing (a poll may block through a whole join): idle time counts from then
                    lastRecordAt = System.nanoTime();
                } else if (timeoutMs != null && System.nanoTime() - lastRecordAt > timeoutMs * 1_000_000L) {
                    break;
                }
            }
        }
        out.flush();
        spec.commandLine().getErr().println("Consumed " + count + " records.");
    }

    private void print(PrintWriter out, ConsumerRecord<String, String> r) {
        StringBuilder sb = new StringBuilder();
        if (printPartition) {
            sb.append(r.partition()).append(separator);
        }
        if (printOffset) {
            sb.append(r.offset()).append(separator);
        }
        if (printTimestamp) {
            sb.append(r.timestamp()).append(separator);
        }
        if (printKey) {
            sb.append(r.key()).append(separator);
        }
        sb.append(r.value());
        out.println(sb);
    }
}
