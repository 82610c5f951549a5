package io.sluice.benchmarks.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code sluice-bench compare [--quick] [--rounds N] [--peers ...] [--suites ...] [--out DIR]}: runs Sluice and the
 * systems a user would pick instead (Kafka on messaging; Dubbo and gRPC on RPC) on the same workloads, alternating
 * (Sluice, peer, Sluice, peer, ...) for several rounds, each contender after a {@code sync} (see {@link #settle()}),
 * and writes results.md (the table, machine facts, settings), results.json (every sample) and chart.png, with every
 * process's log under logs/. Every process it starts is stopped by it, also on failure. Exit status 0 when every workload gave a figure in every round, 1 otherwise,
 * 2 on bad usage. Single-threaded.
 */
public final class CompareMain {
    private static final Pattern JAR_VERSION = Pattern.compile("-(\\d+(?:\\.\\d+)+)\\.jar$");

    private CompareMain() {
    }

    /** What a run produced; {@code curve} is null unless the wide suite ran. */
    public record Outcome(Path directory, Path markdown, Path json, Path chart, Path curve, int failures) {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("compare")) {
            rest.remove(0);
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.println(CompareSettings.USAGE);
            return;
        }
        try {
            Outcome outcome = run(rest);
            System.exit(outcome.failures() == 0 ? 0 : 1);
        } catch (IllegalArgumentException e) {
            System.err.println("sluice-bench: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("sluice-bench: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Runs a comparison and writes its reports; see the class comment. */
    public static Outcome run(List<String> args) throws Exception {
        Path home = Peers.findHome();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        CompareSettings settings = CompareSettings.parse(args, home.resolve("benchmarks/results").resolve(stamp));
        Path out = settings.out;
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        String loadBefore = MachineFacts.loadAverage();
        Peers peers = new Peers(home);
        List<String> needed = new ArrayList<>();
        if (settings.runs("messaging", "kafka") || settings.runs("replicated", "kafka")
                || settings.runs("wide", "kafka")) {
            needed.add("kafka");
        }
        for (String p : List.of("dubbo", "grpc")) {
            if (settings.runs("rpc", p)) {
                needed.add(p);
            }
        }
        peers.ensureBuilt(needed, logs.resolve("peer-build.log"));
        Results results = new Results();
        List<Contender> contenders = new Contenders(settings, new Jvms(home), peers).all();
        long start = System.nanoTime();
        for (int round = 1; round <= settings.rounds; round++) {
            Path roundLogs = logs.resolve("round-" + round);
            Files.createDirectories(roundLogs);
            for (Contender c : contenders) {
                System.out.printf("[%4ds] round %d/%d: %s %s ...%n", (System.nanoTime() - start) / 1_000_000_000L,
                        round, settings.rounds, c.system(), c.suite().equals("wide")
                                ? "wide " + String.join(", ", c.workloads()) : c.suite());
                settle();
                try {
                    results.add(c.system(), round, c.runRound(roundLogs), c.workloads());
                } catch (Exception e) {
                    System.out.println("  failed: " + e.getMessage());
                    results.fail(c.system(), round, c.workloads(), String.valueOf(e.getMessage()).lines()
                            .findFirst().orElse(e.toString()));
                }
            }
        }
        Map<String, String> facts = MachineFacts.take(home, loadBefore);
        Map<String, String> versions = versions(peers, needed);
        String command = "bin/sluice-bench compare" + (args.isEmpty() ? "" : " " + String.join(" ", args));
        Path md = out.resolve("results.md");
        Path json = out.resolve("results.json");
        Path chart = out.resolve("chart.png");
        String table = MarkdownReport.render(settings, results, facts, versions, command);
        Files.writeString(md, table, StandardCharsets.UTF_8);
        Files.writeString(json, JsonReport.render(settings, results, facts, versions), StandardCharsets.UTF_8);
        RatioChart.write(RatioChart.bars(settings, results), "Sluice vs its peers, " + facts.get("date")
                + " (" + facts.get("cores") + " cores)", chart);
        Path curve = null;
        if (settings.runs("wide")) {
            curve = out.resolve("curve.png");
            CurveChart.write(PartitionCurve.of(settings, results), "Partition count vs throughput, "
                    + facts.get("date") + " (" + facts.get("cores") + " cores)", curve);
        }
        System.out.println();
        System.out.println(table);
        System.out.printf("results in %s (results.md, results.json, chart.png%s, logs/) after %d s%n", out,
                curve == null ? "" : ", curve.png", (System.nanoTime() - start) / 1_000_000_000L);
        return new Outcome(out, md, json, chart, curve, results.failures().size());
    }

    /** Each peer's version, read from the artifacts it was built with. */
    /**
     * Writes back ({@code sync}) what the previous contender left dirty in the page cache, so that its writeback
     * does not run during the next one's timed phase (measured without this: Sluice at 1,000 partitions gave 34 k
     * and 60 k msgs/s in alternate rounds after Kafka, 75-111 k in rounds of its own).
     */
    private static void settle() {
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sync.waitFor(120, TimeUnit.SECONDS)) {
                sync.destroyForcibly();
                System.out.println("  sync did not finish in 120 s; going on");
            }
        } catch (IOException e) {
            System.out.println("  cannot run sync: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> versions(Peers peers, List<String> built) {
        Map<String, String> artifacts = Map.of("kafka", "kafka-clients-", "dubbo", "dubbo-", "grpc", "grpc-core-");
        Map<String, String> out = new LinkedHashMap<>();
        out.put("kafka", "4.3.1");
        out.put("dubbo", "3.3.6");
        out.put("grpc", "1.85.1");
        for (String peer : built) {
            try (Stream<Path> jars = Files.list(peers.dir(peer).resolve("lib"))) {
                jars.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(artifacts.get(peer)))
                        .forEach(n -> {
                            Matcher m = JAR_VERSION.matcher(n);
                            if (m.find() && n.equals(artifacts.get(peer) + m.group(1) + ".jar")) {
                                out.put(peer, m.group(1));
                            }
                        });
            } catch (Exception ignored) {
                // keep the version the peers pom names
            }
        }
        return out;
    }
}
