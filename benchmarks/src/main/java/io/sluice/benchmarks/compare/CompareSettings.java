package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.WideWorkload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything a comparison run is told: which peers and suites, how many rounds, and the exact workload settings,
 * from the command line ({@code [--quick] [--rounds N] [--peers kafka,dubbo,grpc] [--suites messaging,rpc,wide]
 * [--workloads consume-100,...] [--partitions 8,100,1000,10000] [--rf3-partitions N] [--wide-records N] [--out DIR]
 * [--jfr]}). The default suites fit about 15-20 minutes on 2 cores; the wide suite runs only when named, as it
 * takes longer; {@code --quick} makes every workload tiny (about two minutes with every peer). Validated once by {@link #parse};
 * immutable afterwards, so thread-safe.
 */
final class CompareSettings {
    static final String USAGE = """
            usage: sluice-bench compare [--quick] [--rounds N] [--peers kafka,dubbo,grpc]
                                        [--suites messaging,replicated,rpc,wide]
                                        [--workloads produce-100,produce-1k,consume-100,e2e]
                                        [--partitions 8,100,1000,10000] [--rf3-partitions N] [--wide-records N]
                                        [--out DIR] [--jfr]
              --quick    every workload tiny (a smoke test of the whole harness, about two minutes)
              --rounds   rounds of alternating runs (Sluice, peer, Sluice, peer, ...); medians are reported
                         (default 3, quick 1)
              --peers    which peers to run beside Sluice (default: all three)
              --suites   messaging (vs Kafka), replicated (3 brokers each, replication factor 3: Sluice
                         with ZooKeeper and a nameserver vs Kafka on 3 KRaft nodes), rpc (vs Dubbo and gRPC),
                         wide (many partitions, vs Kafka: only when named)
                         (default: messaging,replicated,rpc)
              --workloads  which messaging workloads to run (default: all); consume-100 reads what
                         produce-100 wrote, so it brings produce-100 along
              --partitions  wide suite: the partition counts of its curve, each on fresh servers
                         (default 8,100,1000,10000; above 1,000: topics of 1,000 each, so 10000 is ten topics)
              --rf3-partitions  wide suite: partitions of its 3-broker, replication factor 3, acks=all workload
                         (topics of 1,000; default 3000; 0 leaves it out)
              --wide-records  wide suite: records timed per produce (default 1000000, after 50000 warm-up)
              --out      results directory (default: benchmarks/results/<timestamp>)
              --jfr      record every JVM with Java Flight Recorder (settings=profile) into logs/""";
    static final List<String> SUITES = List.of("messaging", "replicated", "rpc", "wide");
    /** The wide suite takes long at 10,000 partitions: it runs only when named. */
    static final List<String> DEFAULT_SUITES = List.of("messaging", "replicated", "rpc");
    static final List<Integer> WIDE_POINTS = List.of(8, 100, 1_000, 10_000);
    static final String REPLICATED_WORKLOAD = "produce-100-rf3";
    static final String REPLICATED_ACKS1_WORKLOAD = "produce-100-rf3-acks1";
    static final List<String> REPLICATED_WORKLOADS = List.of(REPLICATED_WORKLOAD, REPLICATED_ACKS1_WORKLOAD);
    static final List<String> MESSAGING_WORKLOADS = List.of("produce-100", "produce-1k", "consume-100", "e2e");
    static final List<String> RPC_OPS = List.of("existUser", "createUser", "getUser", "listUser");

    final boolean quick;
    final int rounds;
    final List<String> peers;
    final List<String> suites;
    /** The messaging workloads to run, in the canonical order. */
    final List<String> messagingWorkloads;
    final Path out;
    final boolean jfr;
    /** The partition counts of the wide suite's curve, each run on fresh servers. */
    final List<Integer> widePoints;
    /** Partitions of the wide suite's replicated workload; 0 when it is left out. */
    final int wideRf3Partitions;
    /** The wide suite's layout: up to this many partitions per topic. */
    final int wideTopicPartitions;
    final long wideWarmup;
    final long wideRecords;

    final int partitions = 8;
    final String acks = "1";
    final int lingerMs = 5;
    final int batchBytes = 64 * 1024;
    final long bufferBytes = 64L << 20;
    final int maxPollRecords = 10_000;
    final long produce100Warmup;
    final long produce100Records;
    final long produce1kWarmup;
    final long produce1kRecords;
    final long produceRf3Warmup;
    final long produceRf3Records;
    final int e2eRate = 10_000;
    final int e2eLingerMs = 0;
    final long e2eWarmupMs;
    final long e2eMeasureMs;
    final int rpcThreads = 32;
    final long rpcWarmupMs;
    final long rpcOpWarmupMs;
    final long rpcMeasureMs;

    private CompareSettings(boolean quick, int rounds, List<String> peers, List<String> suites,
                            List<String> messagingWorkloads, Path out, boolean jfr, Wide wide) {
        this.quick = quick;
        this.widePoints = wide.points;
        this.wideRf3Partitions = wide.rf3Partitions;
        this.wideTopicPartitions = wide.topicPartitions;
        this.wideWarmup = quick ? 1_000 : 50_000;
        this.wideRecords = wide.records;
        this.messagingWorkloads = messagingWorkloads;
        this.jfr = jfr;
        this.rounds = rounds;
        this.peers = peers;
        this.suites = suites;
        this.out = out;
        produce100Warmup = quick ? 20_000 : 500_000;
        produce100Records = quick ? 100_000 : 2_000_000;
        produce1kWarmup = quick ? 5_000 : 50_000;
        produce1kRecords = quick ? 20_000 : 300_000;
        produceRf3Warmup = quick ? 10_000 : 200_000;
        produceRf3Records = quick ? 30_000 : 1_000_000;
        e2eWarmupMs = quick ? 1_000 : 3_000;
        e2eMeasureMs = quick ? 1_500 : 10_000;
        rpcWarmupMs = quick ? 500 : 3_000;
        rpcOpWarmupMs = quick ? 300 : 30_000;   // a bound: each operation warms until steady (RpcLoad)
        rpcMeasureMs = quick ? 1_000 : 8_000;
    }

    /** Parses the command line; {@code defaultOut} is used without {@code --out}. Throws on a bad option. */
    static CompareSettings parse(List<String> args, Path defaultOut) {
        boolean quick = false;
        boolean jfr = false;
        Integer rounds = null;
        List<String> peers = Peers.ALL;
        List<String> suites = DEFAULT_SUITES;
        List<String> workloads = MESSAGING_WORKLOADS;
        List<Integer> points = null;
        Integer rf3 = null;
        Long wideRecords = null;
        Path out = defaultOut;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick" -> quick = true;
                case "--jfr" -> jfr = true;
                case "--rounds" -> rounds = positive(a, value(args, ++i, a));
                case "--peers" -> peers = subset(a, value(args, ++i, a), Peers.ALL, true);
                case "--suites" -> suites = subset(a, value(args, ++i, a), SUITES, false);
                case "--workloads" -> workloads = subset(a, value(args, ++i, a), MESSAGING_WORKLOADS, false);
                case "--partitions" -> points = counts(a, value(args, ++i, a));
                case "--rf3-partitions" -> rf3 = count(a, value(args, ++i, a), 0);
                case "--wide-records" -> wideRecords = (long) count(a, value(args, ++i, a), 1);
                case "--out" -> out = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        List<String> chosen = workloads;
        // consume-100 reads back what produce-100 wrote
        List<String> messaging = MESSAGING_WORKLOADS.stream().filter(w -> chosen.contains(w)
                || (w.equals("produce-100") && chosen.contains("consume-100"))).toList();
        // --quick: two topics of 20 partitions stand for many topics of 1,000
        int topicPartitions = quick ? 20 : 1_000;
        Wide wide = new Wide(points != null ? points : quick ? List.of(40) : WIDE_POINTS,
                rf3 != null ? rf3 : quick ? 40 : 3_000, topicPartitions,
                wideRecords != null ? wideRecords : quick ? 5_000 : 1_000_000);
        for (int n : wide.points) {
            layout("--partitions", n, topicPartitions);
        }
        if (wide.rf3Partitions > 0) {
            layout("--rf3-partitions", wide.rf3Partitions, topicPartitions);
        }
        return new CompareSettings(quick, rounds != null ? rounds : quick ? 1 : 3, peers, suites, messaging,
                out.toAbsolutePath(), jfr, wide);
    }

    /** The wide suite's options, as parsed. */
    private record Wide(List<Integer> points, int rf3Partitions, int topicPartitions, long records) {
    }

    private static void layout(String option, int partitions, int topicPartitions) {
        String invalid = WideWorkload.invalidLayout(partitions, topicPartitions);
        if (invalid != null) {
            throw new IllegalArgumentException(option + ": " + invalid);
        }
    }

    /** A comma-separated list of distinct partition counts, in increasing order. */
    private static List<Integer> counts(String option, String value) {
        List<Integer> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                int n = count(option, s.trim(), 1);
                if (!out.contains(n)) {
                    out.add(n);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one partition count");
        }
        out.sort(null);
        return List.copyOf(out);
    }

    /** A whole number from {@code min} to 100,000,000. */
    private static int count(String option, String value, int min) {
        try {
            int n = Integer.parseInt(value.replace("_", ""));
            if (n >= min && n <= 100_000_000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a whole number from " + min + " to 100000000, got '"
                + value + "'");
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args.get(i);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 20) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be 1..20, got '" + value + "'");
    }

    private static List<String> subset(String option, String value, List<String> known, boolean emptyOk) {
        List<String> out = new ArrayList<>();
        for (String s : value.toLowerCase(Locale.ROOT).split(",")) {
            if (s.isBlank() || (emptyOk && s.equals("none"))) {
                continue;
            }
            if (!known.contains(s.trim())) {
                throw new IllegalArgumentException(option + ": unknown '" + s + "', use some of " + known);
            }
            out.add(s.trim());
        }
        if (out.isEmpty() && !emptyOk) {
            throw new IllegalArgumentException(option + " needs at least one of " + known);
        }
        return List.copyOf(out);
    }

    boolean runs(String suite) {
        return suites.contains(suite);
    }

    /** False for a messaging workload left out by {@code --workloads}; true for every other. */
    boolean runsWorkload(String workload) {
        return !MESSAGING_WORKLOADS.contains(workload) || messagingWorkloads.contains(workload);
    }

    boolean runs(String suite, String peer) {
        return suites.contains(suite) && peers.contains(peer);
    }

    /** The workloads of one point of the wide suite's curve: produce over all its partitions, then read back. */
    static List<String> wideWorkloads(int partitions) {
        return List.of(new WideWorkload(WideWorkload.PRODUCE, partitions).name(),
                new WideWorkload(WideWorkload.CONSUME, partitions).name());
    }

    /** The arguments of a messaging load JVM (every system gets the same). */
    List<String> messagingArgs(String bootstrap, List<String> workloads) {
        List<String> a = new ArrayList<>();
        settings().forEach((k, v) -> {
            if (!k.startsWith("rpc-")) {
                a.add("--" + k);
                a.add(v);
            }
        });
        a.addAll(List.of("--bootstrap", bootstrap, "--workloads", String.join(",", workloads)));
        return a;
    }

    /** The arguments of an RPC load JVM (every system gets the same). */
    List<String> rpcArgs(int port) {
        return List.of("--port", Integer.toString(port), "--ops", String.join(",", RPC_OPS), "--threads",
                Integer.toString(rpcThreads), "--warmup-ms", Long.toString(rpcWarmupMs), "--op-warmup-ms",
                Long.toString(rpcOpWarmupMs), "--measure-ms", Long.toString(rpcMeasureMs));
    }

    /** Every workload setting by its load-argument name, for the load JVMs and the report. */
    Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("partitions", Integer.toString(partitions));
        m.put("acks", acks);
        m.put("linger-ms", Integer.toString(lingerMs));
        m.put("batch-bytes", Integer.toString(batchBytes));
        m.put("buffer-bytes", Long.toString(bufferBytes));
        m.put("max-poll-records", Integer.toString(maxPollRecords));
        m.put("consume-warmup-passes", "1");
        m.put("produce-100-warmup", Long.toString(produce100Warmup));
        m.put("produce-100-records", Long.toString(produce100Records));
        m.put("produce-1k-warmup", Long.toString(produce1kWarmup));
        m.put("produce-1k-records", Long.toString(produce1kRecords));
        m.put("produce-rf3-warmup", Long.toString(produceRf3Warmup));
        m.put("produce-rf3-records", Long.toString(produceRf3Records));
        m.put("e2e-rate", Integer.toString(e2eRate));
        m.put("e2e-linger-ms", Integer.toString(e2eLingerMs));
        m.put("e2e-warmup-ms", Long.toString(e2eWarmupMs));
        m.put("e2e-measure-ms", Long.toString(e2eMeasureMs));
        m.put("wide-partitions", widePoints.stream().map(String::valueOf).collect(Collectors.joining(",")));
        m.put("wide-rf3-partitions", Integer.toString(wideRf3Partitions));
        m.put("wide-topic-partitions", Integer.toString(wideTopicPartitions));
        m.put("wide-warmup", Long.toString(wideWarmup));
        m.put("wide-records", Long.toString(wideRecords));
        m.put("rpc-threads", Integer.toString(rpcThreads));
        m.put("rpc-warmup-ms", Long.toString(rpcWarmupMs));
        m.put("rpc-op-warmup-ms", Long.toString(rpcOpWarmupMs));
        m.put("rpc-measure-ms", Long.toString(rpcMeasureMs));
        return m;
    }
}
