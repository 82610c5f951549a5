package io.sluice.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@code sluice standalone} server in a JVM of its own (as a broker runs in production), on free loopback ports
 * with a fresh data directory, so a benchmark measures the client against a separate broker process. Closing it
 * stops the process (by its pid) and deletes the data.
 */
final class SluiceProcess implements AutoCloseable {
    private static final Pattern NAMESERVER = Pattern.compile("nameserver=(\\S+)");

    private final Process process;
    private final Path dataDir;
    private final String nameservers;

    private SluiceProcess(Process process, Path dataDir, String nameservers) {
        this.process = process;
        this.dataDir = dataDir;
        this.nameservers = nameservers;
    }

    static SluiceProcess start(String heap) throws Exception {
        Path dataDir = Files.createTempDirectory("sluice-bench-");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add(heap);
        cmd.add("-Xms" + heap.substring(4));
        cmd.add("-XX:+UseParallelGC");
        cmd.addAll(List.of(JvmFlags.ALL));
        String home = System.getProperty("sluice.home");
        if (home != null) {
            cmd.add("-Dlogback.configurationFile=" + Path.of(home, "conf", "logback.xml"));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.sluice.cli.SluiceCli");
        cmd.addAll(List.of("standalone", "--data-dir", dataDir.toString(), "--zookeeper-port", "0",
                "--nameserver-port", "0", "--broker-port", "0", "--metrics-port", "-1"));
        Process process = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile())).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = NAMESERVER.matcher(line);
                    if (line.startsWith("Sluice standalone ready") && m.find()) {
                        ready.complete(m.group(1));
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
            ready.completeExceptionally(new IllegalStateException("server exited; see " + dataDir.resolve("server.log")));
        }, "sluice-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new SluiceProcess(process, dataDir, ready.get(120, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    String nameservers() {
        return nameservers;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
