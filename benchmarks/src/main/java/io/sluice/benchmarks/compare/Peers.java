package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.ManagedProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the peers live and how they are built: {@code benchmarks/peers/pom.xml} (Kafka, Dubbo, gRPC, each resolved
 * into {@code benchmarks/target/peers/<peer>/}: the driver jar plus lib/ with the peer's own dependencies, apart
 * from any Sluice classpath). Built with Maven when missing or older than their sources. Stateless; thread-safe.
 */
final class Peers {
    static final List<String> ALL = List.of("kafka", "dubbo", "grpc");

    private final Path home;

    Peers(Path home) {
        this.home = home;
    }

    /** The Sluice checkout: {@code -Dsluice.home}, else the first directory up from here holding the peers. */
    static Path findHome() {
        String configured = System.getProperty("sluice.home");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("benchmarks/peers/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Sluice checkout (benchmarks/peers/pom.xml) above "
                + Path.of("").toAbsolutePath() + "; pass -Dsluice.home=DIR");
    }

    Path dir(String peer) {
        return home.resolve("benchmarks/target/peers").resolve(peer);
    }

    String classpath(String peer) {
        Path dir = dir(peer);
        return dir.resolve("sluice-bench-" + peer + ".jar") + java.io.File.pathSeparator + dir.resolve("lib") + "/*";
    }

    /** Builds the peers unless every one of {@code peers} is present and newer than its sources. */
    void ensureBuilt(List<String> peers, Path log) throws Exception {
        if (peers.isEmpty() || peers.stream().allMatch(this::upToDate)) {
            return;
        }
        System.out.println("building the peers (mvn -f benchmarks/peers/pom.xml package; the first time downloads "
                + "Kafka, Dubbo and gRPC from Maven Central) ...");
        List<String> cmd = List.of("mvn", "-q", "-B", "-f", home.resolve("benchmarks/peers/pom.xml").toString(),
                "package");
        try (ManagedProcess mvn = ManagedProcess.start("peer-build", cmd, home, log, null)) {
            int exit = mvn.awaitExit(Duration.ofMinutes(20));
            if (exit != 0) {
                throw new IllegalStateException("building the peers failed (exit " + exit + ")" + mvn.failureHint());
            }
        }
        for (String peer : peers) {
            if (!Files.exists(dir(peer).resolve("sluice-bench-" + peer + ".jar"))) {
                throw new IllegalStateException("the peer build did not produce " + dir(peer));
            }
        }
    }

    private boolean upToDate(String peer) {
        Path jar = dir(peer).resolve("sluice-bench-" + peer + ".jar");
        if (!Files.exists(jar) || !Files.isDirectory(dir(peer).resolve("lib"))) {
            return false;
        }
        try {
            FileTime built = Files.getLastModifiedTime(jar);
            Path peers = home.resolve("benchmarks/peers");
            return newest(peers.resolve(peer), Pattern.compile(".*(/src/.*|pom\\.xml)")).compareTo(built) <= 0
                    && Files.getLastModifiedTime(peers.resolve("pom.xml")).compareTo(built) <= 0
                    && newest(home.resolve("benchmarks/src/main/java/io/sluice/benchmarks/load"),
                    Pattern.compile(".*")).compareTo(built) <= 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileTime newest(Path root, Pattern include) throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        if (!Files.exists(root)) {
            return newest;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f) && !f.toString().contains("/target/")
                        && include.matcher(f.toString()).matches()) {
                    FileTime t = Files.getLastModifiedTime(f);
                    if (t.compareTo(newest) > 0) {
                        newest = t;
                    }
                }
            }
        }
        return newest;
    }
}
