package io.sluice.cli;

import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRebalanceListener;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.ConsumerRecords;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code sluice bench consume --group G --members M}: M consumers, one thread each, share a topic as group G until
 * they have read N records together. Reports the throughput including the group join (from the start) and after it
 * (from the moment every member holds its share of the partitions in one generation: each has at least one, if
 * partitions allow, and together they hold them all), like Kafka's ConsumerPerformance with and without its join.
 */
final class GroupConsumeBench {
    private static final int MAX_MEMBERS = 64;

    private final String nameservers;
    private final String topic;
    private final String group;
    private final int members;
    private final long messages;
    private final long idleTimeoutNs;
    private final PrintWriter out;
    private final PrintWriter err;
    private final AtomicLong consumed = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lastRecordNs = new AtomicLong();
    private final AtomicLong joinedNs = new AtomicLong();
    private final AtomicLong consumedAtJoin = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicIntegerArray held;
    private volatile boolean stop;
    private int partitions;

    GroupConsumeBench(String nameservers, String topic, String group, int members, long messages, long idleTimeoutMs,
                      PrintWriter out, PrintWriter err) {
        if (members < 1 || members > MAX_MEMBERS) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "--members must be 1 to " + MAX_MEMBERS + ", not "
                    + members);
        }
        if (messages < 1) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "--messages must be at least 1");
        }
        this.nameservers = nameservers;
        this.topic = topic;
        this.group = group;
        this.members = members;
        this.messages = messages;
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.out = out;
        this.err = err;
        this.held = new AtomicIntegerArray(members);
    }

    int run() throws InterruptedException {
        try (Consumer<byte[], byte[]> probe = Consumer.create(new ConsumerConfig().nameservers(nameservers),
                Serdes.bytes(), Serdes.bytes())) {
            partitions = probe.partitionsFor(topic).size();
        }
        BenchCommand.Progress progress = new BenchCommand.Progress(err, "group consume", messages, 0);
        long start = System.nanoTime();
        lastRecordNs.set(start);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            int index = i;
            Thread t = new Thread(() -> member(index, start), "bench-member-" + i);
            threads.add(t);
            t.start();
        }
        try {
            while (consumed.get() < messages && failure.get() == null
                    && System.nanoTime() - lastRecordNs.get() < idleTimeoutNs) {
                Thread.sleep(20);
                progress.maybePrint(consumed.get(), null, null);
            }
        } finally {
            stop = true;
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        long end = Math.max(lastRecordNs.get(), start + 1);
        err.print("\r");
        err.flush();
        if (failure.get() != null) {
            SluiceException e = SluiceException.from(failure.get());
            err.println("error: " + e.code().name() + ": " + e.getMessage());
            return 1;
        }
        long count = consumed.get();
        double secs = (end - start) / 1e9;
        out.printf("group %s, %d members, %d partitions: consumed %d records (%.1f MB) in %.2f s%n", group, members,
                partitions, count, bytes.get() / 1e6, secs);
        out.printf("including the join: %.0f msgs/s, %.1f MB/s%n", count / secs, bytes.get() / secs / 1e6);
        long joined = joinedNs.get();
        if (joined != 0 && end > joined) {
            double after = (end - joined) / 1e9;
            long n = count - consumedAtJoin.get();
            out.printf("after the join (%.0f ms): %.0f msgs/s (%d records in %.2f s)%n", (joined - start) / 1e6,
                    n / after, n, after);
        } else {
            out.println("after the join: n/a (the members never held every partition together)");
        }
        out.flush();
        return count >= messages ? 0 : 1;
    }

    private void member(int index, long start) {
        ConsumerConfig config = new ConsumerConfig().nameservers(nameservers).groupId(group)
                .clientId("bench-" + group + "-" + index).autoOffsetReset(ConsumerConfig.AutoOffsetReset.EARLIEST);
        try (Consumer<byte[], byte[]> consumer = Consumer.create(config, Serdes.bytes(), Serdes.bytes())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                // the assignment as a whole: with an incremental (cooperative) assignor the listener hears only
                // of the partitions that move
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    held.set(index, Math.max(0, consumer.assignment().size() - revoked.size()));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    held.set(index, consumer.assignment().size());
                    maybeJoined();
                }
            });
            while (!stop) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long n = 0;
                long size = 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    n++;
                    size += r.value() == null ? 0 : r.value().length;
                }
                bytes.addAndGet(size);
                consumed.addAndGet(n);
                lastRecordNs.set(System.nanoTime());
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Notes the first moment every member holds its share of the partitions in one generation. */
    private synchronized void maybeJoined() {
        if (joinedNs.get() != 0) {
            return;
        }
        int sum = 0;
        for (int i = 0; i < members; i++) {
            int n = held.get(i);
            if (n == 0 && members <= partitions) {
                return;
            }
            sum += n;
        }
        if (sum == partitions) {
            consumedAtJoin.set(consumed.get());
            joinedNs.set(System.nanoTime());
        }
    }
}
