package io.sluice.rpc;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A slow method ends with REQUEST_TIMED_OUT after the configured time; the late answer is dropped. */
class TimeoutTest {
    private final TestServiceImpl impl = new TestServiceImpl("slow");
    private RpcServer server;
    private RpcClient client;

    @AfterEach
    void stop() {
        impl.openGate();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(int businessThreads, int queue) {
        server = RpcServer.builder().config(RpcTests.serverConfig().businessThreads(businessThreads)
                .businessQueue(queue)).service(TestService.class, impl, "1.0", "", 100).start();
        client = RpcClient.builder().registry("rpc://127.0.0.1:" + server.port()).build();
    }

    @Test
    void aSlowCallTimesOutAfterItsTimeoutAndItsLateAnswerIsDropped() {
        start(4, 16);
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast")
                .method("gated", m -> m.timeout(Duration.ofMillis(300))));
        long start = System.nanoTime();
        assertThatThrownBy(() -> stub.gated("late"))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMs).as("ends at its timeout, not when the method returns (never, until the gate opens)")
                .isGreaterThanOrEqualTo(290);
        assertThat(impl.gatedAnswered.get()).isZero();

        impl.openGate(); // the provider now answers, too late
        await().atMost(5, TimeUnit.SECONDS).until(() -> impl.gatedAnswered.get() == 1);
        assertThat(stub.echo("next")).as("the connection carries on; the late answer went nowhere")
                .isEqualTo("next");
        assertThat(stub.gated("now")).as("other methods keep the default timeout").isEqualTo("slow:now");
    }

    @Test
    void anAsyncCallTimesOutToo() {
        start(4, 16);
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast")
                .timeout(Duration.ofMillis(200)));
        CompletableFuture<String> f = RpcClient.async(() -> stub.gated("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
    }

    @Test
    void aCallWhoseDeadlinePassedInTheQueueIsNotRun() throws Exception {
        start(1, 4);
        TestService blocking = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast")
                .timeout(Duration.ofSeconds(10)));
        TestService hurried = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast")
                .timeout(Duration.ofMillis(200)));
        CompletableFuture<String> first = RpcClient.async(() -> blocking.gated("first"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> impl.gatedEntered.get() == 1);
        assertThatThrownBy(() -> hurried.echo("queued")).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
        Thread.sleep(300); // time itself is the condition: the queued call has waited past its 200 ms deadline
        impl.openGate();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("slow:first");
        assertThat(blocking.echo("after")).isEqualTo("after");
        assertThat(impl.counts().get("echo")).as("the queued echo was skipped, only 'after' ran").isEqualTo(1L);
    }
}
