package io.sluice.cli;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code sluice stop}: stops the server processes {@code bin/sluice} started on this machine, as Kafka's
 * {@code kafka-server-stop.sh} and RocketMQ's {@code mqshutdown} do: finds them by their command line (the CLI's main
 * class and the server command), sends SIGTERM (each closes in order: a broker flushes and writes its clean-shutdown
 * marker) and waits for them to exit. Only processes of the current user are seen.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop Sluice servers started with bin/sluice on this machine (SIGTERM, then wait).")
final class StopCommand implements Callable<Integer> {
    static final String MAIN_CLASS = "io.sluice.cli.SluiceCli";
    static final Set<String> SERVERS = Set.of("standalone", "broker", "nameserver", "zookeeper");

    @Parameters(arity = "0..1", paramLabel = "SERVER",
            description = "standalone, broker, nameserver or zookeeper (default: every one).")
    String server;
    @Option(names = "--data-dir", description = "Only the servers started with this --data-dir.")
    Path dataDir;
    @Option(names = "--timeout-ms", defaultValue = "60000",
            description = "How long to wait for them to exit (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (server != null && !SERVERS.contains(server)) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "unknown server '" + server + "': use one of "
                    + SERVERS.stream().sorted().collect(Collectors.joining(", ")));
        }
        if (timeoutMs < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "--timeout-ms must be at least 0, not " + timeoutMs);
        }
        List<Running> found = running();
        if (found.isEmpty()) {
            spec.commandLine().getOut().println("No Sluice " + (server == null ? "server" : server)
                    + (dataDir == null ? "" : " with --data-dir " + dataDir) + " is running.");
            return 0;
        }
        for (Running r : found) {
            spec.commandLine().getOut().println("Stopping " + r.describe() + " ...");
            r.process.destroy();   // SIGTERM
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<Running> left = new ArrayList<>();
        for (Running r : found) {
            try {
                r.process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                spec.commandLine().getOut().println("Stopped " + r.describe() + ".");
            } catch (java.util.concurrent.TimeoutException e) {
                left.add(r);
            } catch (java.util.concurrent.ExecutionException e) {
                left.add(r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while waiting for servers");
            }
        }
        if (!left.isEmpty()) {
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, left.stream().map(Running::describe)
                    .collect(Collectors.joining(", ")) + " still running after " + timeoutMs + " ms; it may be "
                    + "flushing a large log (see its log), or stop it with kill -9 PID");
        }
        return 0;
    }

    /** The matching server processes, other than this one. */
    private List<Running> running() {
        List<Running> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() == self) {
                return;
            }
            Optional<String[]> args = arguments(p);
            if (args.isEmpty()) {
                return;
            }
            String command = serverCommand(args.get());
            if (command == null || server != null && !server.equals(command)) {
                return;
            }
            if (dataDir != null && !hasDataDir(args.get(), workingDirectory(p), dataDir)) {
                return;
            }
            out.add(new Running(p, command));
        });
        return out;
    }

    /** The server command of a {@code bin/sluice} command line ({@value #MAIN_CLASS} then the command), or null. */
    static String serverCommand(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(MAIN_CLASS)) {
                return SERVERS.contains(args[i + 1]) ? args[i + 1] : null;
            }
        }
        return null;
    }

    /**
     * True if the command line names {@code dir} as its {@code --data-dir}; a relative one is resolved against
     * {@code cwd}, the process's working directory (null if unknown: against this one's).
     */
    static boolean hasDataDir(String[] args, Path cwd, Path dir) {
        Path wanted = dir.toAbsolutePath().normalize();
        for (int i = 0; i < args.length; i++) {
            String value = args[i].startsWith("--data-dir=") ? args[i].substring("--data-dir=".length())
                    : args[i].equals("--data-dir") && i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                continue;
            }
            Path named = Path.of(value);
            Path resolved = named.isAbsolute() || cwd == null ? named.toAbsolutePath() : cwd.resolve(named);
            if (resolved.normalize().equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A process's arguments (after the program): from {@code /proc/PID/cmdline} on Linux, whole (the JDK's
     * {@code ProcessHandle.Info} leaves them out for a long command line, such as a classpath of many jars), else
     * from {@code ProcessHandle.Info}.
     */
    private static Optional<String[]> arguments(ProcessHandle p) {
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            byte[] raw = java.nio.file.Files.readAllBytes(cmdline);
            if (raw.length > 0) {
                String[] all = new String(raw, java.nio.charset.StandardCharsets.UTF_8).split("\0");
                return Optional.of(java.util.Arrays.copyOfRange(all, Math.min(1, all.length), all.length));
            }
        } catch (java.io.IOException | SecurityException e) {
            // not Linux, or the process is gone or not ours
        }
        return p.info().arguments();
    }

    /** A process's working directory, from {@code /proc} (Linux), or null. */
    private static Path workingDirectory(ProcessHandle p) {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private record Running(ProcessHandle process, String command) {
        String describe() {
            return command + " (pid " + process.pid() + ")";
        }
    }
}
