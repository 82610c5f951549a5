package io.sluice.broker.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a test, so that the disk really fills up. Mounting needs root (tests run as root here
 * and in CI); where it is impossible the test is skipped (an assumption), saying why. Closing unmounts it. Shared
 * with the multi-JVM tests of {@code cli} through this module's test jar.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code dir} (created if needed). */
    public static Tmpfs mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + (bytes / 1024) + "k", "tmpfs", dir.toString());
        Assumptions.assumeTrue(out == null, () -> "cannot mount a tmpfs on " + dir + " (this test needs root): " + out);
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Bytes still free on the tmpfs. */
    public long freeBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (run("umount", dir.toString()) != null) {
            run("umount", "-l", dir.toString());
        }
    }

    /** Runs a command; null if it succeeded, else what it printed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!done) {
            p.destroyForcibly();
            return "timed out: " + output;
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + output;
    }
}
