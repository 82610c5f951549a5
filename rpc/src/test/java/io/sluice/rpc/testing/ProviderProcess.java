package io.sluice.rpc.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProviderMain} in its own JVM: the current java binary, the test classpath, the JVM flags surefire
 * passes in {@code sluice.jvm.flags} and a small heap. Its output is drained (and kept for diagnostics) by a
 * daemon thread; {@link #port()} comes from its READY line.
 */
public final class ProviderProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private final List<String> output = new ArrayList<>();

    private ProviderProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::drain, "provider-" + name + "-out");
        reader.setDaemon(true);
        reader.start();
    }

    public static ProviderProcess start(String connect, String root, String name, int weight, int sessionTimeoutMs)
            throws IOException {
        return start(connect, root, name, weight, sessionTimeoutMs, 0);
    }

    /** A provider whose {@code lagged()} takes {@code lagMs}. */
    public static ProviderProcess start(String connect, String root, String name, int weight, int sessionTimeoutMs,
                                        long lagMs) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>();
        command.add(java);
        String flags = System.getProperty("sluice.jvm.flags", "");
        for (String flag : flags.trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                command.add(flag);
            }
        }
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.net.preferIPv4Stack=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProviderMain.class.getName());
        command.add(connect);
        command.add(root);
        command.add(name);
        command.add(Integer.toString(weight));
        command.add(Integer.toString(sessionTimeoutMs));
        command.add(Long.toString(lagMs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new ProviderProcess(name, process);
    }

    private void drain() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (output) {
                    if (output.size() < 2_000) {
                        output.add(line);
                    }
                }
                if (line.startsWith("READY ")) {
                    ready.complete(Integer.parseInt(line.substring(6).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        ready.completeExceptionally(new IllegalStateException("provider " + name + " exited before READY:\n"
                + String.join("\n", output())));
    }

    /** Waits for the READY line. */
    public int port() {
        try {
            return ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("provider " + name + " did not become ready: " + e.getMessage()
                    + "\n" + String.join("\n", output()), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no deregistration, sockets reset by the kernel. */
    public void kill() throws InterruptedException {
        try {
            thaw(); // a stopped process dies of SIGKILL too, but let it go cleanly either way
        } catch (IOException | RuntimeException e) {
            // not stopped, or already gone
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as a service manager or a rolling restart stops a provider; the JVM runs its shutdown hooks. Sent with
     * {@code kill}, not {@link Process#destroy()}, which also closes the pipes: the provider's stdin (its signal to
     * stop, see {@link ProviderMain}) and the output it writes while shutting down.
     */
    public void terminate() throws IOException, InterruptedException {
        signal("-TERM");
    }

    /** Waits up to {@code timeoutMs} for the process to exit; its exit code, or -1 if it is still running. */
    public int awaitExit(long timeoutMs) throws InterruptedException {
        return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGSTOP: the process hangs; its sockets stay open and the kernel still accepts connections. */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    public List<String> output() {
        synchronized (output) {
            return new ArrayList<>(output);
        }
    }

    /** Graceful stop (closes stdin), then SIGKILL if it lingers. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
