package io.sluice.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Java main class run in a JVM of its own, with the test classpath and the JVM flags Chronicle needs. Waits for a
 * ready line on stdout; {@link #kill()} sends SIGKILL, {@link #stop()} SIGTERM, {@link #pause()} and {@link #resume()}
 * SIGSTOP and SIGCONT. Always closed by the test that started it.
 */
final class ForkedJvm implements AutoCloseable {
    private final Process process;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final List<String> output = new ArrayList<>();

    private ForkedJvm(Process process, String readyPrefix) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        if (output.size() < 2000) {
                            output.add(line);
                        }
                    }
                    if (line.startsWith(readyPrefix)) {
                        ready.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            } finally {
                ready.completeExceptionally(new IllegalStateException("process exited before it was ready: "
                        + tail()));
            }
        }, "forked-jvm-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static ForkedJvm start(Path logFile, String readyPrefix, String mainClass, String... args) throws IOException {
        return start(logFile, readyPrefix, List.of(), mainClass, args);
    }

    /** As {@link #start(Path, String, String, String...)}, with extra JVM options (e.g. a direct memory limit). */
    static ForkedJvm start(Path logFile, String readyPrefix, List<String> jvmOptions, String mainClass,
                           String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx256m");
        cmd.addAll(jvmOptions);
        cmd.add("-XX:+UseSerialGC");
        String flags = System.getProperty("sluice.jvm.flags", "-Dchronicle.analytics.disable=true");
        for (String f : flags.trim().split("\\s+")) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        return new ForkedJvm(pb.start(), readyPrefix);
    }

    /** The ready line; fails if the process exits first or the timeout passes. */
    String awaitReady(long timeout, TimeUnit unit) throws Exception {
        try {
            return ready.get(timeout, unit);
        } catch (TimeoutException e) {
            throw new IllegalStateException("process not ready within " + timeout + " " + unit + ": " + tail(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (the process shuts down cleanly through its shutdown hook), and wait for it to be gone. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** SIGSTOP: the process is frozen (threads, timers, sockets unread) until {@link #resume()}. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    String tail() {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
