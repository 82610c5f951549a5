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
        if (settings.runs("messaging", "kafka") || settings.runs("replicated", "kafka")) {
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
        md.append("Ratios are Sluice/peer: above 1 Sluice is ahead on throughput, below 1 it is ahead on latency. ")
                .append("Goals from the issues: 1.5× Kafka on produce and consume, 1.5× Dubbo and 1.3× gRPC on RPC.")
                .append("\n\n");
        md.append(settingsText(settings)).append('\n');
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
        for (String p : suite.equals("messaging") ? Row.MESSAGING_PEERS : Row.RPC_PEERS) {
            peers.add(settings.peers.contains(p) ? p : null);
        }
        StringBuilder t = new StringBuilder("| ").append(suite.equals("messaging") ? "workload" : "UserService")
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
        for (Row row : Row.all()) {
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
