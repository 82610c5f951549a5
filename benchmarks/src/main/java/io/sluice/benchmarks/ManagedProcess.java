package io.sluice.benchmarks;

import io.sluice.benchmarks.load.LoadResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the harness started: its output (stdout and stderr merged) goes to a log file, a line matching the
 * ready pattern completes {@link #awaitReady}, {@code RESULT} lines are collected. {@link #close()} stops it by its
 * pid (SIGTERM, then SIGKILL after a grace period) together with any process it started; a JVM shutdown hook stops
 * whatever is still running when the harness itself ends, also on failure or Ctrl-C. Thread-safe.
 */
public final class ManagedProcess implements AutoCloseable {
    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final int TAIL_LINES = 20;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ManagedProcess p : LIVE) {
                p.stop(Duration.ofSeconds(5));
            }
        }, "bench-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final CompletableFuture<Matcher> ready = new CompletableFuture<>();
    private final List<String> results = new ArrayList<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread reader;

    private ManagedProcess(String name, Process process, Path log, Pattern readyPattern) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.reader = new Thread(() -> pump(readyPattern), "output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} in {@code workDir}; {@code readyPattern} may be null for a process that just runs. */
    public static ManagedProcess start(String name, List<String> command, Path workDir, Path log, Pattern readyPattern)
            throws IOException {
        Files.createDirectories(log.getParent());
        // appended: a process restarted under the same name (a killed broker) continues its log
        Files.writeString(log, String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        ManagedProcess p = new ManagedProcess(name, process, log, readyPattern);
        LIVE.add(p);
        return p;
    }

    private void pump(Pattern readyPattern) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write(System.lineSeparator());
                out.flush();
                synchronized (this) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                    if (line.startsWith(LoadResult.PREFIX)) {
                        results.add(line);
                    }
                }
                if (readyPattern != null && !ready.isDone()) {
                    Matcher m = readyPattern.matcher(line);
                    if (m.find()) {
                        ready.complete(m);
                    }
                }
            }
        } catch (IOException ignored) {
            // the process went away; its exit is reported by whoever waits for it
        }
        ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready" + failureHint()));
    }

    /** Waits for the ready line; returns its match. Fails (and stops the process) on exit or timeout. */
    public Matcher awaitReady(Duration timeout) throws Exception {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new IllegalStateException(name + " not ready after " + timeout.toSeconds() + " s" + failureHint());
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            throw (Exception) e.getCause();
        }
    }

    /** Waits for the process to end; returns its exit code. On timeout stops it and fails. */
    public int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new TimeoutException(name + " still running after " + timeout.toSeconds() + " s; stopped"
                    + failureHint());
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        LIVE.remove(this);
        return process.exitValue();
    }

    public synchronized List<String> resultLines() {
        return List.copyOf(results);
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** The last lines of output and where the whole log is, for error messages. */
    public synchronized String failureHint() {
        return "; last output:\n    " + String.join("\n    ", tail) + "\n  (log: " + log + ")";
    }

    /** SIGKILL, no grace: the process gets no chance to close its sockets or sessions itself. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        LIVE.remove(this);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    private void stop(Duration grace) {
        try {
            List<ProcessHandle> children = process.descendants().toList();
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (ProcessHandle child : children) {
                if (child.isAlive()) {
                    child.destroyForcibly();
                    try {
                        child.onExit().get(5, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                        System.err.println("process " + child.pid() + " of " + name + " did not stop: " + e);
                    }
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
