package io.sluice.benchmarks.load;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the messaging workloads the harness names, in order, against one system, printing one {@link LoadResult}
 * line each (a failed workload prints its error and the run goes on). Workloads: {@code produce-100} (100 B records
 * to topic bench-100), {@code produce-1k} (1 KiB records to bench-1k), {@code consume-100} (reads bench-100 back;
 * needs produce-100 first), {@code e2e} (end-to-end latency at a fixed rate on bench-e2e),
 * {@code produce-100-rf3} (100 B records, acks=all, to bench-rf3 with 3 replicas and min in-sync 2; needs a system
 * with replication), {@code produce-100-rf3-acks1} (the same with acks=1, to bench-rf3-acks1), and the wide suite's
 * {@code wide-produce-N}, {@code wide-consume-N}, {@code wide-rf3-produce-N} (see {@link WideWorkload}).
 * Arguments: see {@link #run}. Single-threaded apart from the workloads' own threads.
 */
public final class MessagingRun {
    private MessagingRun() {
    }

    /** Returns the number of failed workloads. */
    public static int run(MessagingSystem system, LoadArgs args, PrintStream out) {
        int partitions = args.intValue("partitions", 8);
        int maxPoll = args.intValue("max-poll-records", 10_000);
        MessagingSystem.SenderSettings throughput = new MessagingSystem.SenderSettings(args.get("acks", "1"),
                args.intValue("linger-ms", 5), args.intValue("batch-bytes", 65_536),
                args.longValue("buffer-bytes", 64L << 20));
        MessagingSystem.SenderSettings latency = new MessagingSystem.SenderSettings(args.get("acks", "1"),
                args.intValue("e2e-linger-ms", 0), args.intValue("batch-bytes", 65_536),
                args.longValue("buffer-bytes", 64L << 20));
        long produced100 = 0;
        Map<Integer, Long> producedWide = new HashMap<>();
        int failures = 0;
        for (String workload : args.list("workloads")) {
            LoadResult result;
            try {
                result = switch (workload) {
                    case "produce-100" -> {
                        long warmup = args.longValue("produce-100-warmup", 100_000);
                        long records = args.longValue("produce-100-records", 1_000_000);
                        LoadResult r = ProduceLoad.run(workload, system, throughput, "bench-100", partitions, 100,
                                warmup, records);
                        produced100 = warmup + records;
                        yield r;
                    }
                    case "produce-1k" -> ProduceLoad.run(workload, system, throughput, "bench-1k", partitions, 1024,
                            args.longValue("produce-1k-warmup", 20_000), args.longValue("produce-1k-records", 200_000));
                    case "consume-100" -> {
                        if (produced100 == 0) {
                            throw new IllegalStateException("consume-100 reads what produce-100 wrote: run it first");
                        }
                        yield ConsumeLoad.run(workload, system, "bench-100", partitions, produced100, maxPoll,
                                args.longValue("stall-ms", 30_000), args.intValue("consume-warmup-passes", 1));
                    }
                    case "produce-100-rf3", "produce-100-rf3-acks1" -> {
                        boolean all = workload.equals("produce-100-rf3");
                        yield ProduceLoad.runReplicated(workload, system,
                                new MessagingSystem.SenderSettings(all ? "all" : "1", throughput.lingerMs(),
                                        throughput.batchBytes(), throughput.bufferBytes()),
                                all ? "bench-rf3" : "bench-rf3-acks1", partitions, 3, 2, 100,
                                args.longValue("produce-rf3-warmup", 100_000),
                                args.longValue("produce-rf3-records", 1_000_000));
                    }
                    case "e2e" -> EndToEndLoad.run(workload, system, latency, "bench-e2e", partitions, 100,
                            args.intValue("e2e-rate", 10_000), args.longValue("e2e-warmup-ms", 3_000),
                            args.longValue("e2e-measure-ms", 10_000), maxPoll);
                    default -> {
                        WideWorkload wide = WideWorkload.parse(workload);
                        if (wide == null) {
                            throw new IllegalArgumentException("unknown messaging workload '" + workload + "'");
                        }
                        yield wide(wide, system, args, throughput, producedWide);
                    }
                };
            } catch (Throwable t) {
                t.printStackTrace();
                result = LoadResult.failed(workload, t);
                failures++;
            }
            result.print(out);
        }
        return failures;
    }

    /**
     * A workload of the wide suite: creates the topics of its layout (timed as {@code create_s}: until every
     * partition can be written), then produces over all their partitions; or reads back what the produce workload
     * of the same partition count wrote.
     */
    private static LoadResult wide(WideWorkload wide, MessagingSystem system, LoadArgs args,
                                   MessagingSystem.SenderSettings throughput, Map<Integer, Long> produced)
            throws Exception {
        int topicPartitions = args.intValue("wide-topic-partitions", 1_000);
        List<String> topics = wide.topics(topicPartitions);
        int perTopic = wide.partitionsPerTopic(topicPartitions);
        long warmup = args.longValue("wide-warmup", 50_000);
        long records = args.longValue("wide-records", 200_000);
        if (wide.kind().equals(WideWorkload.CONSUME)) {
            Long written = produced.get(wide.partitions());
            if (written == null) {
                throw new IllegalStateException(wide.name() + " reads what wide-produce-" + wide.partitions()
                        + " wrote, and that did not run or failed");
            }
            return ConsumeLoad.run(wide.name(), system, topics, perTopic, written,
                    args.intValue("max-poll-records", 10_000), args.longValue("stall-ms", 30_000),
                    args.intValue("consume-warmup-passes", 1)).put("topics", topics.size())
                    .put("partitions", wide.partitions());
        }
        boolean replicated = wide.kind().equals(WideWorkload.RF3_PRODUCE);
        long createStart = System.nanoTime();
        for (String topic : topics) {
            if (replicated) {
                system.createReplicatedTopic(topic, perTopic, 3, 2);
            } else {
                system.createTopic(topic, perTopic);
            }
        }
        double createSeconds = (System.nanoTime() - createStart) / 1e9;
        MessagingSystem.SenderSettings settings = replicated ? new MessagingSystem.SenderSettings("all",
                throughput.lingerMs(), throughput.batchBytes(), throughput.bufferBytes()) : throughput;
        LoadResult r = WideLoad.produce(wide.name(), system, settings, topics, perTopic, 100, warmup, records)
                .put("create_s", createSeconds);
        if (!replicated) {
            produced.put(wide.partitions(), warmup + records);
        }
        return replicated ? r.put("replicas", 3).put("min_insync", 2) : r;
    }
}
