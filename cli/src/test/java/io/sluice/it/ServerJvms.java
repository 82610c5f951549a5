package io.sluice.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts Sluice servers ({@code bin/sluice nameserver|broker}) in JVMs of their own against a ZooKeeper, with
 * free ports, and reads their ready lines and Prometheus endpoints. The test that starts a JVM closes it.
 */
final class ServerJvms {
    private static final Pattern NAMESERVER = Pattern.compile("Nameserver ready: (\\S+)");
    private static final Pattern METRICS = Pattern.compile("metrics=(http://\\S+)");

    private ServerJvms() {
    }

    /** A broker with id {@code id}, data under {@code dir}, metrics on a free port; {@code sets} are key=value. */
    static ForkedJvm broker(Path dir, String zookeeper, int id, String... sets) throws IOException {
        return broker(dir, zookeeper, id, List.of(), sets);
    }

    /** As {@link #broker(Path, String, int, String...)}, with extra JVM options (e.g. a direct memory limit). */
    static ForkedJvm broker(Path dir, String zookeeper, int id, List<String> jvmOptions, String... sets)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("broker", "--registry", zookeeper, "--id", String.valueOf(id),
                "--port", "0", "--metrics-port", "0", "--data-dir", dir.resolve("broker-" + id).toString()));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        return ForkedJvm.start(dir.resolve("broker-" + id + ".log"), "Broker ready", jvmOptions,
                "io.sluice.cli.SluiceCli", args.toArray(String[]::new));
    }

    /** A nameserver (with its controller) on free ports; {@code name} names its log file. */
    static ForkedJvm nameserver(Path dir, String zookeeper, String name, String... sets) throws IOException {
        List<String> args = new ArrayList<>(List.of("nameserver", "--registry", zookeeper, "--port", "0",
                "--metrics-port", "0"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        return ForkedJvm.start(dir.resolve(name + ".log"), "Nameserver ready", "io.sluice.cli.SluiceCli",
                args.toArray(String[]::new));
    }

    /** host:port of a nameserver from its ready line. */
    static String nameserverAddress(String readyLine) {
        return find(NAMESERVER, readyLine);
    }

    /** The metrics URL from a server's ready line. */
    static String metricsUrl(String readyLine) {
        return find(METRICS, readyLine);
    }

    private static String find(Pattern p, String line) {
        Matcher m = p.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + p + " in: " + line);
        }
        return m.group(1);
    }

    /** Every sample of a Prometheus text page: {@code name{labels}} (as printed) to value. */
    static Map<String, Double> scrape(String url) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.isBlank() || line.startsWith("#") || space < 0) {
                continue;
            }
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** The value of the sample named {@code name} whose labels contain {@code label} (e.g. {@code follower="2"}). */
    static OptionalDouble sample(Map<String, Double> samples, String name, String label) {
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String key = e.getKey();
            String bare = key.indexOf('{') < 0 ? key : key.substring(0, key.indexOf('{'));
            if (bare.equals(name) && (label == null || key.contains(label))) {
                return OptionalDouble.of(e.getValue());
            }
        }
        return OptionalDouble.empty();
    }
}
