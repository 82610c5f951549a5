package io.sluice.benchmarks.failover;

import io.sluice.benchmarks.JvmFlags;
import io.sluice.benchmarks.ManagedProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Starts one {@code sluice} server command (zookeeper, nameserver, broker) in a JVM of its own, from this JVM's
 * classpath with Chronicle's flags, as a {@link ManagedProcess} (log file, ready line, SIGKILL, stop by pid, reaped
 * when the benchmark ends). Stateless.
 */
final class ServerJvm {
    private ServerJvm() {
    }

    /** Starts {@code SluiceCli args...} with heap {@code xmx} (e.g. "512m"); output appended to {@code log}. */
    static ManagedProcess start(String name, String xmx, Path log, Pattern readyLine, List<String> args)
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
        return ManagedProcess.start(name, cmd, Path.of(System.getProperty("user.dir")), log, readyLine);
    }
}
