package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.WideWorkload;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of the comparison table: a figure ({@code metric} of {@code workload}) shown for Sluice and each peer of
 * its suite, with the ratio Sluice/peer and the goal where it has one. Immutable.
 *
 * @param goals the goal ratio per peer (same order as the suite's peers), 0 where there is none
 */
record Row(String suite, String label, String workload, String metric, String unit, double scale,
           boolean higherIsBetter, double[] goals) {

    static final List<String> MESSAGING_PEERS = List.of("kafka");
    static final List<String> RPC_PEERS = List.of("dubbo", "grpc");
    static final String REPLICATED_LABEL = "produce 100 B, 8 partitions, 3 brokers, RF 3, min ISR 2, acks=all";
    static final String REPLICATED_ACKS1_LABEL = "produce 100 B, 8 partitions, 3 brokers, RF 3, acks=1";

    /** The suite that measures this row: replicated for the replicated rows (shown in the messaging table). */
    String runSuite() {
        return CompareSettings.REPLICATED_WORKLOADS.contains(workload) ? "replicated" : suite;
    }

    List<String> peers() {
        return suite.equals("rpc") ? RPC_PEERS : MESSAGING_PEERS;
    }

    /** The rows of a run's report: {@link #all()}, plus the wide suite's rows for the partition counts it ran. */
    static List<Row> all(CompareSettings settings) {
        List<Row> rows = new ArrayList<>(all());
        if (settings.runs("wide")) {
            rows.addAll(wide(settings.widePoints, settings.wideRf3Partitions, settings.wideTopicPartitions));
        }
        return rows;
    }

    /**
     * The wide suite's rows: per partition count, produce (msgs/s, MB/s, ack p50 and p99) and consume (msgs/s,
     * MB/s), with the 1.5× Kafka goal on the 1,000-partition point; then the replicated workload.
     */
    static List<Row> wide(List<Integer> points, int rf3Partitions, int topicPartitions) {
        List<Row> rows = new ArrayList<>();
        double[] none = {0};
        for (int n : points) {
            double[] goal = n == 1_000 ? new double[]{1.5} : none;
            String where = wideLayout(n, topicPartitions);
            String produce = new WideWorkload(WideWorkload.PRODUCE, n).name();
            String label = "produce 100 B, " + where + ", acks=1";
            rows.add(new Row("wide", label, produce, "msgs_per_s", "msgs/s", 1, true, goal));
            rows.add(new Row("wide", label, produce, "mb_per_s", "MB/s", 1, true, none));
            rows.add(new Row("wide", label, produce, "p50_us", "ack p50 ms", 1e-3, false, none));
            rows.add(new Row("wide", label, produce, "p99_us", "ack p99 ms", 1e-3, false, none));
            String consume = new WideWorkload(WideWorkload.CONSUME, n).name();
            String back = "consume them back, " + where + ", 1 consumer";
            rows.add(new Row("wide", back, consume, "msgs_per_s", "msgs/s", 1, true, goal));
            rows.add(new Row("wide", back, consume, "mb_per_s", "MB/s", 1, true, none));
        }
        if (rf3Partitions > 0) {
            String rf3 = new WideWorkload(WideWorkload.RF3_PRODUCE, rf3Partitions).name();
            String label = "produce 100 B, " + wideLayout(rf3Partitions, topicPartitions)
                    + ", 3 brokers, RF 3, min ISR 2, acks=all";
            rows.add(new Row("wide", label, rf3, "msgs_per_s", "msgs/s", 1, true, new double[]{1.5}));
            rows.add(new Row("wide", label, rf3, "p50_us", "ack p50 ms", 1e-3, false, none));
            rows.add(new Row("wide", label, rf3, "p99_us", "ack p99 ms", 1e-3, false, none));
        }
        return rows;
    }

    /** "1,000 partitions (1 topic)", "10,000 partitions (10 topics of 1,000)". */
    static String wideLayout(int partitions, int topicPartitions) {
        if (partitions <= topicPartitions) {
            return String.format(java.util.Locale.ROOT, "%,d partitions (1 topic)", partitions);
        }
        return String.format(java.util.Locale.ROOT, "%,d partitions (%d topics of %,d)", partitions,
                partitions / topicPartitions, topicPartitions);
    }

    /** The rows of the report, in order. */
    static List<Row> all() {
        List<Row> rows = new ArrayList<>();
        double[] kafkaGoal = {1.5};
        double[] none = {0};
        rows.add(new Row("messaging", "produce 100 B, 8 partitions, acks=1, RF 1", "produce-100", "msgs_per_s",
                "msgs/s", 1, true, kafkaGoal));
        rows.add(new Row("messaging", "produce 100 B, 8 partitions, acks=1, RF 1", "produce-100", "p99_us",
                "ack p99 ms", 1e-3, false, none));
        rows.add(new Row("messaging", "produce 1 KiB, 8 partitions, acks=1, RF 1", "produce-1k", "msgs_per_s",
                "msgs/s", 1, true, kafkaGoal));
        rows.add(new Row("messaging", "produce 1 KiB, 8 partitions, acks=1, RF 1", "produce-1k", "mb_per_s",
                "MB/s", 1, true, none));
        rows.add(new Row("messaging", "produce 1 KiB, 8 partitions, acks=1, RF 1", "produce-1k", "p99_us",
                "ack p99 ms", 1e-3, false, none));
        rows.add(new Row("messaging", REPLICATED_LABEL, CompareSettings.REPLICATED_WORKLOAD, "msgs_per_s", "msgs/s", 1,
                true, kafkaGoal));
        rows.add(new Row("messaging", REPLICATED_LABEL, CompareSettings.REPLICATED_WORKLOAD, "p99_us", "ack p99 ms",
                1e-3, false, none));
        rows.add(new Row("messaging", REPLICATED_ACKS1_LABEL, CompareSettings.REPLICATED_ACKS1_WORKLOAD, "msgs_per_s",
                "msgs/s", 1, true, none));
        rows.add(new Row("messaging", REPLICATED_ACKS1_LABEL, CompareSettings.REPLICATED_ACKS1_WORKLOAD, "p99_us",
                "ack p99 ms", 1e-3, false, none));
        rows.add(new Row("messaging", "consume the 100 B records back, 1 consumer", "consume-100", "msgs_per_s",
                "msgs/s", 1, true, kafkaGoal));
        for (String[] p : new String[][]{{"p50_us", "p50 ms"}, {"p99_us", "p99 ms"}, {"p999_us", "p99.9 ms"}}) {
            rows.add(new Row("messaging", "end-to-end latency at 10,000 msgs/s", "e2e", p[0], p[1], 1e-3, false,
                    none));
        }
        double[] rpcGoals = {1.5, 1.3};
        for (String op : CompareSettings.RPC_OPS) {
            rows.add(new Row("rpc", op, "rpc-" + op, "ops_per_s", "ops/s", 1, true, rpcGoals));
            rows.add(new Row("rpc", op, "rpc-" + op, "p99_us", "p99 ms", 1e-3, false, new double[]{0, 0}));
        }
        return rows;
    }

    /** How many times better Sluice does than the peer (> 1: Sluice ahead), whatever the direction of the figure. */
    double advantage(double sluice, double peer) {
        return higherIsBetter ? sluice / peer : peer / sluice;
    }

    /** A short word on Sluice against one peer. */
    String verdict(double ratio, int peerIndex) {
        double goal = goals[peerIndex];
        if (higherIsBetter) {
            if (goal > 0 && ratio >= goal) {
                return "meets " + fmtGoal(goal);
            }
            return ratio >= 1 ? (goal > 0 ? "ahead, below " + fmtGoal(goal) : "ahead") : "behind";
        }
        return ratio <= 1 ? "ahead" : "behind";
    }

    static String fmtGoal(double goal) {
        return String.format(java.util.Locale.ROOT, "%.1f× goal", goal);
    }
}
