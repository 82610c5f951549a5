package io.sluice.benchmarks.failover;

import io.sluice.benchmarks.ManagedProcess;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.TopicDescription;
import io.sluice.remoting.SluiceException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code sluice-bench failover [--rounds N] [--partitions P] [--rate R] [--set key=value]... [--out DIR]}: how long
 * a partition cannot take acks=all writes when its leader's process dies, with the default settings.
 *
 * <p>Starts ZooKeeper, a nameserver and three brokers, each in a JVM of its own on 127.0.0.1, creates a topic of
 * P partitions (default 8) with replication factor 3 and {@code min.insync.replicas=2}, and runs a producer (default
 * settings, {@code acks=all}) writing R records/s (default 2,000) round-robin over the partitions. Each round it
 * SIGKILLs the leader of partition 0 and measures, from the kill, when the first record sent after the kill was
 * acknowledged: on the partitions the victim led (the failover time: a new leader elected and serving) and on every
 * partition (the victim also followed the others: their acks=all writes wait until it leaves their in-sync sets).
 * Then it restarts the victim and waits until every in-sync set is full again. It prints each round and the median
 * and maximum over rounds, and writes the same to {@code results.md} beside the servers' logs (default
 * {@code benchmarks/results/failover-<timestamp>/}). {@code --set} passes a config override to every server (e.g.
 * to compare another session timeout). Exit status 0 when every round gave a figure, 1 otherwise, 2 on bad usage.
 */
public final class FailoverMain {
    static final String USAGE = """
            usage: sluice-bench failover [--rounds N] [--partitions P] [--rate R] [--set key=value]... [--out DIR]
              --rounds N        leader kills, each followed by a restart of the victim (default 5)
              --partitions P    partitions of the topic, replication factor 3, min.insync.replicas 2 (default 8)
              --rate R          records per second the acks=all producer sends, round-robin (default 2000)
              --set key=value   a config override for every server (repeatable; default: none, i.e. defaults)
              --out DIR         where results.md and the servers' logs go (default benchmarks/results/failover-<ts>)""";
    private static final String TOPIC = "failover";
    private static final Duration ROUND_LIMIT = Duration.ofSeconds(60);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(120);

    private final int rounds;
    private final int partitions;
    private final int rate;
    private final List<String> overrides;
    private final Path out;
    private final Map<Integer, Integer> brokerPorts = new HashMap<>();
    private final Map<Integer, ManagedProcess> brokers = new HashMap<>();
    private final List<String> report = new ArrayList<>();
    private final List<String> perPartition = new ArrayList<>();
    private String zookeeper;

    private FailoverMain(int rounds, int partitions, int rate, List<String> overrides, Path out) {
        this.rounds = rounds;
        this.partitions = partitions;
        this.rate = rate;
        this.overrides = overrides;
        this.out = out;
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("failover")) {
            rest.remove(0);
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        FailoverMain bench;
        try {
            bench = parse(rest);
        } catch (IllegalArgumentException e) {
            System.err.println("sluice-bench failover: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        try {
            System.exit(bench.run() ? 0 : 1);
        } catch (Exception e) {
            System.err.println("sluice-bench failover: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static FailoverMain parse(List<String> args) {
        int rounds = 5;
        int partitions = 8;
        int rate = 2_000;
        List<String> overrides = new ArrayList<>();
        Path out = null;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args.get(++i);
            switch (flag) {
                case "--rounds" -> rounds = positive(flag, value);
                case "--partitions" -> partitions = positive(flag, value);
                case "--rate" -> rate = positive(flag, value);
                case "--set" -> {
                    if (!value.contains("=")) {
                        throw new IllegalArgumentException("--set needs key=value, not " + value);
                    }
                    overrides.add(value);
                }
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (out == null) {
            String home = System.getProperty("sluice.home", ".");
            out = Path.of(home, "benchmarks", "results", "failover-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        return new FailoverMain(rounds, partitions, rate, overrides, out.toAbsolutePath());
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a positive integer, not " + value);
    }

    private boolean run() throws Exception {
        Files.createDirectories(out);
        List<Double> leaderMs = new ArrayList<>();
        List<Double> allMs = new ArrayList<>();
        say("# Failover: leader SIGKILL to the first acks=all write acknowledged by the new leader");
        say("");
        say(String.format(Locale.ROOT, "%s; %d partitions, replication factor 3, min.insync.replicas 2, producer "
                        + "defaults with acks=all at %d records/s; server overrides: %s; %d cores.", Instant.now(),
                partitions, rate, overrides.isEmpty() ? "none (defaults)" : String.join(" ", overrides),
                Runtime.getRuntime().availableProcessors()));
        say("");
        try (ManagedProcess zk = ServerJvm.start("zookeeper", "256m", out.resolve("zookeeper.log"),
                Pattern.compile("ZooKeeper ready: (\\S+)"), List.of("zookeeper", "--port", "0", "--data-dir",
                        out.resolve("zookeeper").toString()))) {
            zookeeper = zk.awaitReady(Duration.ofSeconds(60)).group(1);
            List<String> nsArgs = new ArrayList<>(List.of("nameserver", "--registry", zookeeper, "--port", "0",
                    "--metrics-port", "-1"));
            nsArgs.addAll(setArgs());
            try (ManagedProcess ns = ServerJvm.start("nameserver", "256m", out.resolve("nameserver.log"),
                    Pattern.compile("Nameserver ready: (\\S+)"), nsArgs)) {
                String nameserver = ns.awaitReady(Duration.ofSeconds(60)).group(1);
                for (int id = 1; id <= 3; id++) {
                    brokerPorts.put(id, freePort());
                    startBroker(id);
                }
                for (ManagedProcess b : brokers.values()) {
                    b.awaitReady(Duration.ofSeconds(90));
                }
                try (Admin admin = Admin.create(new AdminConfig().nameservers(nameserver))) {
                    createTopic(admin);
                    awaitTopic(admin, d -> d.leader() >= 0 && d.isr().size() == 3, "every in-sync set full");
                    try (PacedProducer producer = new PacedProducer(nameserver, TOPIC, partitions, rate).start()) {
                        awaitAcks(producer, 2 * rate); // warm-up: every partition writable, JIT warm
                        say("| round | killed at (UTC) | broker | partitions it led | first ack on its partitions ms"
                                + " | all its partitions ms | every partition ms |");
                        say("|---:|---|---:|---:|---:|---:|---:|");
                        for (int round = 1; round <= rounds; round++) {
                            double[] r = round(round, admin, producer);
                            if (r != null) {
                                leaderMs.add(r[0]);
                                allMs.add(r[1]);
                            }
                        }
                        say("");
                        say("First acknowledgement per partition, ms after the kill (* led by the killed broker):");
                        say("");
                        perPartition.forEach(this::say);
                        say("");
                        say(String.format(Locale.ROOT, "Producer: %d records acknowledged, %d failed%s.",
                                producer.acked(), producer.failures(), producer.failures() == 0 ? ""
                                        : " (last: " + producer.lastFailure() + ")"));
                    }
                }
            } finally {
                brokers.values().forEach(ManagedProcess::close);
            }
        }
        say("");
        if (!leaderMs.isEmpty()) {
            say(String.format(Locale.ROOT, "**Failover (all partitions of the killed leader writable again): median "
                    + "%.0f ms, max %.0f ms over %d rounds.** Every partition writable again: median %.0f ms, max "
                    + "%.0f ms.", median(leaderMs), max(leaderMs), leaderMs.size(), median(allMs), max(allMs)));
        }
        say("Logs: " + out);
        Files.writeString(out.resolve("results.md"), String.join(System.lineSeparator(), report)
                + System.lineSeparator(), StandardCharsets.UTF_8);
        return leaderMs.size() == rounds;
    }

    /** One kill and restart; {leader partitions ms, every partition ms}, or null when the round gave no figure. */
    private double[] round(int round, Admin admin, PacedProducer producer) throws Exception {
        TopicDescription before = admin.describeTopic(TOPIC);
        int victim = before.partitions().get(0).leader();
        List<Integer> led = new ArrayList<>();
        for (PartitionDescription d : before.partitions()) {
            if (d.leader() == victim) {
                led.add(d.partition());
            }
        }
        String killedAt = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HH:mm:ss.SSS"));
        long killNs = System.nanoTime();
        producer.mark(killNs);
        brokers.get(victim).kill();
        long deadline = killNs + ROUND_LIMIT.toNanos();
        while (!allAcked(producer) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        double first = Double.MAX_VALUE;
        double ledMax = 0;
        double everyMax = 0;
        boolean complete = allAcked(producer);
        StringBuilder detail = new StringBuilder("- round " + round + ":");
        for (int p = 0; p < partitions; p++) {
            long ack = producer.firstAckNs(p);
            double ms = ack == 0 ? Double.NaN : (ack - killNs) / 1e6;
            detail.append(String.format(Locale.ROOT, " p%d%s %.0f", p, led.contains(p) ? "*" : "", ms));
            everyMax = Math.max(everyMax, ms);
            if (led.contains(p)) {
                first = Math.min(first, ms);
                ledMax = Math.max(ledMax, ms);
            }
        }
        perPartition.add(detail.toString());
        if (complete) {
            say(String.format(Locale.ROOT, "| %d | %s | %d | %d | %.0f | %.0f | %.0f |", round, killedAt, victim,
                    led.size(), first, ledMax, everyMax));
        } else {
            say(String.format(Locale.ROOT, "| %d | %s | %d | %d | no ack within %d s | | |", round, killedAt, victim,
                    led.size(), ROUND_LIMIT.toSeconds()));
        }
        startBroker(victim);
        brokers.get(victim).awaitReady(Duration.ofSeconds(90));
        awaitTopic(admin, d -> d.leader() >= 0 && d.isr().size() == 3, "every in-sync set full after the restart");
        Thread.sleep(1_000);
        return complete ? new double[] {ledMax, everyMax} : null;
    }

    private boolean allAcked(PacedProducer producer) {
        for (int p = 0; p < partitions; p++) {
            if (producer.firstAckNs(p) == 0) {
                return false;
            }
        }
        return true;
    }

    private void startBroker(int id) throws IOException {
        List<String> args = new ArrayList<>(List.of("broker", "--registry", zookeeper, "--id", String.valueOf(id),
                "--port", String.valueOf(brokerPorts.get(id)), "--metrics-port", "-1", "--data-dir",
                out.resolve("broker-" + id).toString()));
        args.addAll(setArgs());
        brokers.put(id, ServerJvm.start("broker-" + id, "512m", out.resolve("broker-" + id + ".log"),
                Pattern.compile("Broker ready: "), args));
    }

    private List<String> setArgs() {
        List<String> args = new ArrayList<>();
        for (String o : overrides) {
            args.add("--set");
            args.add(o);
        }
        return args;
    }

    private void createTopic(Admin admin) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        while (true) {
            try {
                admin.createTopic(new NewTopic(TOPIC, partitions, 3, Map.of("min.insync.replicas", "2")));
                return;
            } catch (SluiceException e) { // the nameserver may not see all three brokers yet
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private void awaitTopic(Admin admin, Predicate<PartitionDescription> ok, String what) throws Exception {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (admin.describeTopic(TOPIC).partitions().stream().allMatch(ok)) {
                    return;
                }
            } catch (SluiceException e) {
                // a broker may be restarting; ask again
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not settled within " + SETTLE_LIMIT.toSeconds() + " s: " + what
                + "; see the logs in " + out);
    }

    private void awaitAcks(PacedProducer producer, long count) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        while (producer.acked() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (producer.acked() < count) {
            throw new IllegalStateException("the producer got " + producer.acked() + " acknowledgements within "
                    + SETTLE_LIMIT.toSeconds() + " s (failures " + producer.failures() + ", last "
                    + producer.lastFailure() + ")");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void say(String line) {
        System.out.println(line);
        report.add(line);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
