package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.JvmFlags;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVMs the comparison starts: the java executable, the classpaths and the flags of each kind of process.
 * Servers run as each project ships them (Sluice: bin/sluice's 512 MiB ParallelGC; Kafka: kafka-run-class.sh's
 * 1 GiB G1); load generators and RPC providers of every system get the same heap and collector. Every JVM running
 * Sluice gets Chronicle's flags (and -Dchronicle.analytics.disable=true). Stateless; thread-safe.
 */
final class Jvms {
    static final List<String> SAME_HEAP = List.of("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC",
            "-Djava.net.preferIPv4Stack=true");
    static final List<String> KAFKA_BROKER = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
            "-Djava.net.preferIPv4Stack=true", "-Dlog4j2.configurationFile=kafka-broker-log4j2.properties");

    private final Path home;

    Jvms(Path home) {
        this.home = home;
    }

    static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The classpath of the Sluice side: this JVM's own (the benchmarks module and its dependencies). */
    static String sluiceClasspath() {
        return System.getProperty("sluice.bench.classpath", System.getProperty("java.class.path"));
    }

    /** Flags of a Sluice JVM: the same heap as the others, Chronicle's flags, the server or tool logging config. */
    List<String> sluice(boolean server) {
        List<String> flags = new ArrayList<>(SAME_HEAP);
        flags.addAll(List.of(JvmFlags.ALL));
        Path logback = home.resolve("conf").resolve(server ? "logback.xml" : "logback-cli.xml");
        flags.add("-Dlogback.configurationFile=" + logback);
        flags.add("-Dsluice.home=" + home);
        return flags;
    }

    static List<String> peer(String... extra) {
        List<String> flags = new ArrayList<>(SAME_HEAP);
        flags.addAll(List.of(extra));
        return flags;
    }

    static List<String> command(List<String> flags, String classpath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
