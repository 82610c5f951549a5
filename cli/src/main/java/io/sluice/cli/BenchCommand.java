package io.sluice.cli;

import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionInfo;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** {@code sluice bench produce|consume}: load generators with a live progress line and a latency summary. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure produce and consume throughput.",
        subcommands = {BenchCommand.Produce.class, BenchCommand.Consume.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = "Send N records of a given size as fast as the producer allows.")
    static final class Produce implements java.util.concurrent.Callable<Integer> {
        @Mixin
        NameserverOption ns;
        @Option(names = "--topic", required = true, description = "Topic (created when missing).")
        String topic;
        @Option(names = "--messages", defaultValue = "1000000", description = "Records to send (default: ${DEFAULT-VALUE}).")
        long messages;
        @Option(names = "--size", defaultValue = "100", description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
        int size;
        @Option(names = "--partitions", defaultValue = "8", description = "Partitions when the topic is created (default: ${DEFAULT-VALUE}).")
        int partitions;
        @Option(names = "--acks", defaultValue = "1", description = "0, 1 or all (default: ${DEFAULT-VALUE}).")
        String acks;
        @Option(names = "--linger-ms", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})")
        long lingerMs;
        @Option(names = "--batch-size", defaultValue = "65536", description = "(default: ${DEFAULT-VALUE})")
        int batchSize;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ensureTopic(ns, topic, partitions);
            byte[] value = new byte[size];
            ThreadLocalRandom.current().nextBytes(value);
            ProducerConfig config = new ProducerConfig().nameservers(ns.nameservers).acks(acks).lingerMs(lingerMs)
                    .batchSize(batchSize);
            Recorder latencies = new Recorder(3);
            Histogram total = new Histogram(3);
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> error = new AtomicReference<>();
            PrintWriter err = spec.commandLine().getErr();
            Progress progress = new Progress(err, "produce", messages, size);
            long start = System.nanoTime();
            try (Producer<byte[], byte[]> producer = Producer.create(config, Serdes.bytes(), Serdes.bytes())) {
                for (long i = 0; i < messages && error.get() == null; i++) {
                    long sentAt = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, null, value)).whenComplete((md, e) -> {
                        if (e != null) {
                            error.compareAndSet(null, e);
                        } else {
                            latencies.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
                        }
                        done.incrementAndGet();
                    });
                    progress.maybePrint(done.get(), latencies, total);
                }
                producer.flush();
            }
            long elapsed = System.nanoTime() - start;
            total.add(latencies.getIntervalHistogram());
            progress.finish(done.get(), elapsed, total, spec.commandLine().getOut());
            if (error.get() != null) {
                SluiceException se = SluiceException.from(error.get());
                err.println("error: " + se.code().name() + ": " + se.getMessage());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "consume", mixinStandardHelpOptions = true,
            description = {"Read N records from the beginning of every partition of a topic.",
                "With --group, --members consumers (threads of this process) share the topic as that group; the"
                    + " result gives the throughput including the group join and after it (from when every member"
                    + " holds its partitions). A new group reads from the beginning; a group with commits resumes."})
    static final class Consume implements java.util.concurrent.Callable<Integer> {
        @Mixin
        NameserverOption ns;
        @Option(names = "--topic", required = true, description = "Topic to read.")
        String topic;
        @Option(names = "--messages", defaultValue = "1000000", description = "Records to read (default: ${DEFAULT-VALUE}).")
        long messages;
        @Option(names = "--timeout-ms", defaultValue = "10000", description = "Give up when no record comes for this long.")
        long timeoutMs;
        @Option(names = "--group", description = "Consume as this consumer group (subscribe) instead of assigning every partition.")
        String group;
        @Option(names = "--members", defaultValue = "1", description = "Group members, one thread each (default: ${DEFAULT-VALUE}; needs --group).")
        int members;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            if (group != null) {
                return new GroupConsumeBench(ns.nameservers, topic, group, members, messages, timeoutMs,
                        spec.commandLine().getOut(), spec.commandLine().getErr()).run();
            }
            if (members != 1) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "--members needs --group");
            }
            PrintWriter err = spec.commandLine().getErr();
            long count = 0;
            long bytes = 0;
            Progress progress = new Progress(err, "consume", messages, 0);
            long start = System.nanoTime();
            long lastAt = start;
            try (Consumer<byte[], byte[]> consumer = Consumer.create(new ConsumerConfig().nameservers(ns.nameservers),
                    Serdes.bytes(), Serdes.bytes())) {
                List<TopicPartition> tps = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(topic)) {
                    tps.add(new TopicPartition(topic, p.partition()));
                }
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                while (count < messages) {
                    boolean any = false;
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        any = true;
                        count++;
                        bytes += r.value() == null ? 0 : r.value().length;
                    }
                    long now = System.nanoTime();
                    if (any) {
                        lastAt = now;
                    } else if (now - lastAt > timeoutMs * 1_000_000L) {
                        break;
                    }
                    progress.maybePrint(count, null, null);
                }
            }
            long elapsed = System.nanoTime() - start;
            double secs = elapsed / 1e9;
            err.print("\r");
            spec.commandLine().getOut().printf("consumed %d records in %.2f s: %.0f msgs/s, %.1f MB/s%n", count, secs,
                    count / secs, bytes / secs / 1e6);
            return count >= messages ? 0 : 1;
        }
    }

    static void ensureTopic(NameserverOption ns, String topic, int partitions) {
        try (Admin admin = Admin.create(new AdminConfig().nameservers(ns.nameservers))) {
            try {
                admin.createTopic(new NewTopic(topic, partitions, 1));
            } catch (SluiceException e) {
                if (e.code() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                    throw e;
                }
            }
        }
    }

    /** A live progress line on stderr, at most once a second. */
    static final class Progress {
        private final PrintWriter err;
        private final String what;
        private final long total;
        private final int recordSize;
        private final long start = System.nanoTime();
        private long lastPrint = start;
        private long lastCount;

        Progress(PrintWriter err, String what, long total, int recordSize) {
            this.err = err;
            this.what = what;
            this.total = total;
            this.recordSize = recordSize;
        }

        void maybePrint(long count, Recorder latencies, Histogram total) {
            long now = System.nanoTime();
            if (now - lastPrint < 1_000_000_000L) {
                return;
            }
            double secs = (now - lastPrint) / 1e9;
            String lat = "";
            if (latencies != null) {
                Histogram h = latencies.getIntervalHistogram();
                total.add(h);
                lat = String.format(", p99 %.2f ms", h.getValueAtPercentile(99) / 1000.0);
            }
            err.printf("\r%s: %d/%d records (%.0f%%), %.0f msgs/s%s      ", what, count, this.total,
                    100.0 * count / Math.max(1, this.total), (count - lastCount) / secs, lat);
            err.flush();
            lastPrint = now;
            lastCount = count;
        }

        void finish(long count, long elapsedNs, Histogram latencyUs, PrintWriter out) {
            err.print("\r");
            err.flush();
            double secs = elapsedNs / 1e9;
            out.printf("%s: %d records of %d bytes in %.2f s: %.0f msgs/s, %.1f MB/s%n", what, count, recordSize, secs,
                    count / secs, count * (double) recordSize / secs / 1e6);
            out.printf("latency ms: p50 %.2f, p99 %.2f, p99.9 %.2f, max %.2f%n",
                    latencyUs.getValueAtPercentile(50) / 1000.0, latencyUs.getValueAtPercentile(99) / 1000.0,
                    latencyUs.getValueAtPercentile(99.9) / 1000.0, latencyUs.getMaxValue() / 1000.0);
            out.flush();
        }
    }
}
