package io.sluice.benchmarks.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The comparison as Markdown: machine facts, one table per suite (median of the rounds for Sluice and each peer,
 * the ratio Sluice/peer and a verdict against the goals), the exact settings and any failure. Stateless;
 * thread-safe.
 */
final class MarkdownReport {
    private static final Map<String, String> NAMES = Map.of("sluice", "Sluice", "kafka", "Kafka", "dubbo", "Dubbo",
            "grpc", "gRPC");

    private MarkdownReport() {
    }

    static String render(CompareSettings settings, Results results, Map<String, String> facts,
                         Map<String, String> versions, String command) {
        StringBuilder md = new StringBuilder();
        List<String> against = new ArrayList<>();
        if (settings.runs("messaging", "kafka") || settings.runs("replicated", "kafka")
                || settings.runs("wide", "kafka")) {
            against.add("Apache Kafka " + versions.get("kafka"));
        }
        if (settings.runs("rpc", "dubbo")) {
            against.add("Apache Dubbo " + versions.get("dubbo"));
        }
        if (settings.runs("rpc", "grpc")) {
            against.add("gRPC-java " + versions.get("grpc"));
        }
        md.append("### Sluice vs ").append(against.isEmpty() ? "no peer" : String.join(", ", against))
                .append("\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s core(s) (%s), %s RAM, %s, %s; load average %s before, %s after;"
                        + " commit %s. Median of %d round(s)%s; command: `%s`.%n%n", facts.get("date"),
                facts.get("cores"), facts.get("cpu"), facts.get("memory"), facts.get("os"), facts.get("jvm"),
                facts.get("load average before"), facts.get("load average after"), facts.get("commit"),
                settings.rounds, settings.quick ? " (--quick: tiny workloads, figures not meaningful)" : "",
                command));
        if (settings.runs("messaging") || settings.runs("replicated")) {
            md.append(table("messaging", settings, results)).append('\n');
        }
        if (settings.runs("rpc")) {
            md.append(table("rpc", settings, results)).append('\n');
        }
        if (settings.runs("wide")) {
            md.append("Many partitions (`--suites wide`):\n\n").append(table("wide", settings, results)).append('\n');
            md.append("Partition count vs throughput (chart: curve.png):\n\n")
                    .append(PartitionCurve.of(settings, results).markdown()).append('\n');
        }
        md.append("Ratios are Sluice/peer: above 1 Sluice is ahead on throughput, below 1 it is ahead on latency. ")
                .append("Goals from the issues: 1.5× Kafka on produce and consume, 1.5× Dubbo and 1.3× gRPC on RPC")
                .append(settings.runs("wide") ? "; many partitions: 1.5× Kafka on produce and consume at 1,000"
                        + " partitions and on the replicated acks=all produce, and Sluice at 10,000 partitions at"
                        + " least half its own 1,000-partition rates." : ".")
                .append("\n\n");
        if (settings.suites.stream().anyMatch(CompareSettings.DEFAULT_SUITES::contains)) {
            md.append(settingsText(settings)).append('\n');
        }
        if (settings.runs("wide")) {
            md.append(wideSettingsText(settings)).append('\n');
        }
        if (!results.failures().isEmpty()) {
            md.append("Failures:\n\n");
            for (Results.Failure f : results.failures()) {
                md.append("- ").append(NAMES.get(f.system())).append(' ').append(f.workload()).append(" round ")
                        .append(f.round()).append(": ").append(f.error().replace('|', '/')).append('\n');
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String table(String suite, CompareSettings settings, Results results) {
        List<String> peers = new ArrayList<>();
        for (String p : suite.equals("rpc") ? Row.RPC_PEERS : Row.MESSAGING_PEERS) {
            peers.add(settings.peers.contains(p) ? p : null);
        }
        StringBuilder t = new StringBuilder("| ").append(suite.equals("rpc") ? "UserService" : "workload")
                .append(" | metric | Sluice");
        StringBuilder sep = new StringBuilder("|---|---|---:");
        for (String p : peers) {
            if (p != null) {
                t.append(" | ").append(NAMES.get(p));
                sep.append("|---:");
            }
        }
        for (String p : peers) {
            if (p != null) {
                t.append(" | Sluice/").append(NAMES.get(p));
                sep.append("|---:");
            }
        }
        t.append(" | verdict |\n").append(sep).append("|---|\n");
        long shown = peers.stream().filter(p -> p != null).count();
        for (Row row : Row.all(settings)) {
            if (!row.suite().equals(suite) || !settings.runs(row.runSuite())
                    || !settings.runsWorkload(row.workload())) {
                continue;
            }
            OptionalDouble sluice = results.median("sluice", row.workload(), row.metric());
            t.append("| ").append(row.label()).append(" | ").append(row.unit()).append(" | ");
            t.append(value(sluice, row));
            StringBuilder ratios = new StringBuilder();
            List<String> verdicts = new ArrayList<>();
            for (int i = 0; i < peers.size(); i++) {
                String peer = peers.get(i);
                if (peer == null) {
                    continue;
                }
                OptionalDouble theirs = results.median(peer, row.workload(), row.metric());
                t.append(" | ").append(value(theirs, row));
                if (sluice.isPresent() && theirs.isPresent() && theirs.getAsDouble() > 0) {
                    double ratio = sluice.getAsDouble() / theirs.getAsDouble();
                    ratios.append(String.format(Locale.ROOT, " | %.2f×", ratio));
                    verdicts.add((shown > 1 ? NAMES.get(peer) + ": " : "") + row.verdict(ratio, i));
                } else {
                    ratios.append(" | –");
                }
            }
            t.append(ratios).append(" | ").append(String.join("; ", verdicts)).append(" |\n");
        }
        return t.toString();
    }

    private static String value(OptionalDouble v, Row row) {
        if (v.isEmpty()) {
            return "failed";
        }
        double x = v.getAsDouble() * row.scale();
        if (row.scale() != 1 || x < 100) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        return String.format(Locale.ROOT, "%,.0f", x);
    }

    static String wideSettingsText(CompareSettings s) {
        return String.format(Locale.ROOT, """
                Wide suite: each partition count of the curve (%s) on fresh servers of each system (Sluice \
                standalone, Kafka one KRaft node, as above), topics of up to %,d partitions (more partitions are \
                more topics of %,d); topics created and, for Kafka, every partition's log present on its broker \
                (describeLogDirs) before timing starts (create_s in results.json is that time); one producer \
                (acks=1, linger %d ms, batch %d KiB, buffer %d MiB) sending 100 B keyless records round-robin over \
                every partition of every topic (record i to topic i mod T, partition (i / T) mod P, the same for \
                both systems), %,d warm-up records (every partition written at least once when there are fewer \
                partitions) then %,d timed until all are acknowledged, ack latency sampled on every 64th; then one \
                consumer without a group assigned every partition reads all %,d records back (after one unmeasured \
                read), and a count other than the number written fails the workload. Replicated: %s, three \
                brokers of each system as in the replicated suite, 3 replicas, min.insync.replicas 2, acks=all, \
                the same producer and records.
                """, s.widePoints.stream().map(n -> String.format(Locale.ROOT, "%,d", n)).toList(),
                s.wideTopicPartitions, s.wideTopicPartitions, s.lingerMs, s.batchBytes / 1024, s.bufferBytes >> 20,
                s.wideWarmup, s.wideRecords, s.wideWarmup + s.wideRecords,
                s.wideRf3Partitions > 0 ? Row.wideLayout(s.wideRf3Partitions, s.wideTopicPartitions) : "not run");
    }

    static String settingsText(CompareSettings s) {
        return String.format(Locale.ROOT, """
                Settings (every system the same): messaging — one producer, keyless records, %d partitions, \
                acks=%s, replication factor 1, linger %d ms, batch %d KiB, buffer %d MiB, no compression; \
                produce 100 B: %,d warm-up + %,d measured records; produce 1 KiB: %,d + %,d; consume: one \
                consumer without a group reading every partition of the 100 B topic from the beginning \
                (max.poll.records %,d), after one unmeasured warm-up read of the same topic; \
                end-to-end: %,d msgs/s of 100 B paced per millisecond, linger %d ms, \
                latency = consumer receive − producer send in one JVM, %d ms warm-up + %d ms measured; \
                replicated: three brokers on this machine, a topic of 8 partitions, 3 replicas, \
                min.insync.replicas 2, 100 B records, %,d warm-up + %,d measured, once with acks=all (Kafka \
                idempotent, its default for acks=all) and once with acks=1 (a second topic); Sluice as separate \
                processes (ZooKeeper and a nameserver, 256 MiB each, and three brokers of 512 MiB ParallelGC), \
                Kafka on three KRaft nodes (each controller + broker, 1 GiB G1); \
                ack latency is sampled on every 64th record. Servers: Sluice standalone (512 MiB, ParallelGC, as \
                bin/sluice), Kafka KRaft single node, controller + broker (1 GiB, G1, as kafka-run-class.sh); \
                load generators 512 MiB ParallelGC. RPC — UserService (User of 12 fields, Page of 15 users), \
                %d client threads in their own JVM, provider in its own JVM (512 MiB, ParallelGC), one connection, \
                a warm-up pass of %d ms per operation, then %d ms warm-up + %d ms measured per operation, \
                timeout 3 s, no retries; Sluice RPC (protostuff, \
                direct rpc:// address), Dubbo (dubbo protocol, hessian2, direct URL, no registry), gRPC-java \
                (Netty, hand-written method descriptors with a hand-written DataOutput binary marshaller, no \
                protobuf). Everything on 127.0.0.1; each peer in its own JVM and classpath.
                """, s.partitions, s.acks, s.lingerMs, s.batchBytes / 1024, s.bufferBytes >> 20,
                s.produce100Warmup, s.produce100Records, s.produce1kWarmup, s.produce1kRecords, s.maxPollRecords,
                s.e2eRate, s.e2eLingerMs, s.e2eWarmupMs, s.e2eMeasureMs, s.produceRf3Warmup, s.produceRf3Records,
                s.rpcThreads, s.rpcWarmupMs,
                s.rpcOpWarmupMs, s.rpcMeasureMs);
    }
}
