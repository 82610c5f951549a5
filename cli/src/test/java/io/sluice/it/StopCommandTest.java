package io.sluice.it;

import io.sluice.cli.SluiceCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sluice stop} finds a standalone server started from the CLI by its command line and data directory, stops it
 * with SIGTERM (so the broker writes its clean-shutdown marker) and waits until it is gone; another data directory
 * is left alone, an unknown server name is refused, and nothing running is said plainly.
 */
class StopCommandTest {
    @TempDir
    Path dir;
    private ForkedJvm server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void stopsTheStandaloneOfADataDirectoryGracefully() throws Exception {
        Path data = dir.resolve("data");
        server = ForkedJvm.start(dir.resolve("standalone.log"), "Sluice standalone ready", "io.sluice.cli.SluiceCli",
                "standalone", "--data-dir", data.toString(), "--zookeeper-port", "0", "--nameserver-port", "0",
                "--broker-port", "0", "--metrics-port", "-1");
        server.awaitReady(120, TimeUnit.SECONDS);

        Result other = run("stop", "standalone", "--data-dir", dir.resolve("elsewhere").toString());
        assertThat(other.code()).isZero();
        assertThat(other.out()).contains("No Sluice standalone with --data-dir");
        assertThat(server.isAlive()).as("a server of another data directory").isTrue();

        Result refused = run("stop", "borker");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("unknown server 'borker'", "broker, nameserver, standalone, zookeeper");

        Result stopped = run("stop", "standalone", "--data-dir", data.toString(), "--timeout-ms", "90000");
        assertThat(stopped.code()).as(stopped.err()).isZero();
        assertThat(stopped.out()).contains("Stopping standalone (pid " + server.pid() + ")",
                "Stopped standalone (pid " + server.pid() + ").");
        assertThat(server.isAlive()).isFalse();
        assertThat(Files.exists(data.resolve("broker-0").resolve("clean-shutdown")))
                .as("the broker's clean-shutdown marker (a SIGTERM, not a kill)").isTrue();
    }
}
