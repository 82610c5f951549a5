package io.sluice.benchmarks.failover;

import io.sluice.benchmarks.JvmFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code sluice} server command (zookeeper, nameserver, broker) in a JVM of its own, started from this JVM's
 * classpath with Chronicle's flags; its output goes to a log file and its ready line completes
 * {@link #awaitReady}. {@link #kill()} sends SIGKILL to its pid; {@link #close()} stops it by its pid (SIGTERM, then
 * SIGKILL). A shutdown hook stops whatever is still running when the benchmark ends, also on failure or Ctrl-C.
 * Thread-safe.
 */
final class ServerJvm implements AutoCloseable {
    private static final Set<ServerJvm> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ServerJvm::close), "failover-reaper"));
    }

    private final String name;
    private final Process process;
    private final CompletableFuture<Matcher> ready = new CompletableFuture<>();

    private ServerJvm(String name, Process process, Path log, Pattern readyLine) {
        this.name = name;
        this.process = process;
        Thread pump = new Thread(() -> pump(log, readyLine), "output-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code SluiceCli args...} with heap {@code xmx} (e.g. "512m"); output appended to {@code log}. */
    static ServerJvm start(String name, String xmx, Path log, Pattern readyLine, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xmx" + xmx);
        cmd.add("-XX:+UseParallelGC");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.addAll(List.of(JvmFlags.ALL));
        String home = System.getProperty("sluice.home");
        if (home != null) {
            cmd.add("-Dsluice.home=" + home);
            cmd.add("-Dlogback.configurationFile=" + Path.of(home, "conf", "logback.xml"));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.sluice.cli.SluiceCli");
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        Files.writeString(log, String.join(" ", cmd) + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ServerJvm jvm = new ServerJvm(name, process, log, readyLine);
        LIVE.add(jvm);
        return jvm;
    }

    private void pump(Path log, Pattern readyLine) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write(System.lineSeparator());
                out.flush();
                Matcher m = readyLine.matcher(line);
                if (!ready.isDone() && m.find()) {
                    ready.complete(m);
                }
            }
        } catch (IOException ignored) {
            // the process went away
        }
        ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see " + log));
    }

    /** Waits for the ready line and returns its match; stops the process on timeout. */
    Matcher awaitReady(Duration timeout) throws Exception {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new IllegalStateException(name + " not ready after " + timeout.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    String name() {
        return name;
    }

    /** SIGKILL, no grace: the process gets no chance to close sockets or sessions itself. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        LIVE.remove(this);
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(this);
        }
    }
}
