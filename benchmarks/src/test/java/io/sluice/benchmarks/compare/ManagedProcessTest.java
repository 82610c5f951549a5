package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.ManagedProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The process plumbing of the harness: stop by pid, failures explained, results collected, loopback checked. */
class ManagedProcessTest {
    @Test
    void closeStopsTheProcessAndItsChildren(@TempDir Path dir) throws Exception {
        ManagedProcess p = ManagedProcess.start("sleeper", List.of("sh", "-c", "sleep 60 & echo READY port=1; wait"),
                dir, dir.resolve("sleeper.log"), Pattern.compile("READY port=(\\d+)"));
        assertThat(p.awaitReady(Duration.ofSeconds(10)).group(1)).isEqualTo("1");
        ProcessHandle handle = ProcessHandle.of(p.pid()).orElseThrow();
        List<ProcessHandle> children = handle.descendants().toList();
        assertThat(children).isNotEmpty();

        p.close();

        assertThat(handle.isAlive()).isFalse();
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(Files.readString(dir.resolve("sleeper.log"))).contains("READY port=1");
    }

    @Test
    void aProcessThatDiesBeforeItIsReadyFailsWithItsLastOutput(@TempDir Path dir) throws Exception {
        ManagedProcess p = ManagedProcess.start("dies", List.of("sh", "-c", "echo something went wrong; exit 3"),
                dir, dir.resolve("dies.log"), Pattern.compile("READY"));
        assertThatThrownBy(() -> p.awaitReady(Duration.ofSeconds(10)))
                .hasMessageContaining("dies exited before it was ready")
                .hasMessageContaining("something went wrong")
                .hasMessageContaining("dies.log");
    }

    @Test
    void resultLinesAreCollectedAndParsed(@TempDir Path dir) throws Exception {
        try (ManagedProcess p = ManagedProcess.start("load", List.of("sh", "-c",
                        "echo noise; echo 'RESULT workload=rpc-getUser ops_per_s=1200.500 p99_us=900'; "
                                + "echo 'RESULT workload=rpc-listUser error=IllegalStateException: 3 of 9 calls"
                                + " failed'"),
                dir, dir.resolve("load.log"), null)) {
            assertThat(p.awaitExit(Duration.ofSeconds(10))).isZero();
            Results results = new Results();
            results.add("sluice", 1, p.resultLines(), List.of("rpc-getUser", "rpc-listUser", "rpc-existUser"));
            assertThat(results.median("sluice", "rpc-getUser", "ops_per_s")).hasValue(1200.5);
            assertThat(results.failures()).extracting(Results.Failure::workload, Results.Failure::error)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("rpc-listUser",
                                    "IllegalStateException: 3 of 9 calls failed"),
                            org.assertj.core.groups.Tuple.tuple("rpc-existUser", "no result reported"));
        }
    }

    @Test
    void loopbackCheckSeesThisProcessListeningOnLoopback() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(LoopbackCheck.requireLoopbackOnly("test", ProcessHandle.current().pid()))
                    .contains("127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void mediansOverRounds() {
        Results results = new Results();
        for (int round = 1; round <= 4; round++) {
            results.add("kafka", round, List.of("RESULT workload=e2e p99_us=" + (round * 100)), List.of("e2e"));
        }
        assertThat(results.median("kafka", "e2e", "p99_us")).hasValue(250.0);
        assertThat(results.median("sluice", "e2e", "p99_us")).isEmpty();
    }
}
