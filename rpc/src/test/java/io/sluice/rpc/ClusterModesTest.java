package io.sluice.rpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The cluster modes against three real providers on direct addresses, and the metrics they leave. */
class ClusterModesTest {
    private final List<TestServiceImpl> impls = List.of(new TestServiceImpl("a"), new TestServiceImpl("b"),
            new TestServiceImpl("c"));
    private final List<RpcServer> servers = new ArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private RpcClient client;
    private String addresses;
    private int deadPort;

    @BeforeEach
    void start() throws Exception {
        List<String> hostPorts = new ArrayList<>();
        for (TestServiceImpl impl : impls) {
            RpcServer server = RpcServer.builder().config(RpcTests.serverConfig())
                    .service(TestService.class, impl, "1.0", "", 100).start();
            servers.add(server);
            hostPorts.add("127.0.0.1:" + server.port());
        }
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort(); // closed again: nothing listens there
        }
        addresses = "rpc://" + String.join(",", hostPorts);
        client = RpcClient.builder().registry(addresses).metrics(meters).build();
    }

    @AfterEach
    void stop() {
        impls.forEach(TestServiceImpl::openGate);
        client.close();
        servers.forEach(RpcServer::close);
    }

    @Test
    void broadcastReachesEveryProvider() {
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").cluster("broadcast"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .stream().noneMatch(p -> p.contains("unusable")));
        stub.record("refresh");
        for (TestServiceImpl impl : impls) {
            assertThat(impl.events).containsExactly("refresh");
        }
        assertThatThrownBy(() -> stub.fail("everywhere")).isInstanceOf(RpcRemoteException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
    }

    @Test
    void forkingTakesTheFirstAnswer() {
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").cluster("forking").forks(3)
                .timeout(Duration.ofSeconds(5)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .stream().noneMatch(p -> p.contains("unusable")));
        impls.get(1).openGate(); // only b answers gated calls; a and c hang
        assertThat(stub.gated("x")).isEqualTo("b:x");
        // b's answer may come back before the forks to a and c have even arrived: they must arrive all the same
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(impls.get(0).gatedEntered.get() + impls.get(2).gatedEntered.get())
                        .as("the call went to all three").isEqualTo(2));
    }

    @Test
    void failsafeReturnsTheDefaultInsteadOfFailing() {
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").cluster("failsafe"));
        assertThat(stub.fail("ignored")).isNull();
        assertThat(stub.echo("fine")).isEqualTo("fine");
    }

    @Test
    void failoverSkipsAnUnreachableProviderWhileFailfastReportsIt() {
        String withDead = addresses + ",127.0.0.1:" + deadPort;
        TestService failover = client.stub(TestService.class, o -> o.version("1.0").address(withDead)
                .loadBalancer("round-robin"));
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            answered.add(failover.whoami()); // the dead address was never sent to: retried elsewhere
        }
        assertThat(answered).containsExactlyInAnyOrder("a", "b", "c");

        try (RpcClient other = RpcClient.builder().registry("rpc://127.0.0.1:" + deadPort).build()) {
            TestService failfast = other.stub(TestService.class, o -> o.version("1.0").cluster("failfast"));
            assertThatThrownBy(failfast::whoami).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isIn(ErrorCode.NETWORK_ERROR, ErrorCode.NO_PROVIDER));
        }
    }

    @Test
    void callsAreMeasuredPerServiceMethodAndProvider() {
        TestService stub = client.stub(TestService.class, o -> o.version("1.0"));
        for (int i = 0; i < 10; i++) {
            stub.echo("m");
        }
        assertThatThrownBy(() -> stub.fail("x")).isInstanceOf(RpcRemoteException.class);
        String service = TestService.class.getName() + ":1.0";
        Timer ok = meters.find("sluice.rpc.client.calls").tag("service", service).tag("method", "echo")
                .tag("code", "NONE").timer();
        assertThat(ok).isNotNull();
        assertThat(ok.count()).isEqualTo(10);
        assertThat(meters.find("sluice.rpc.client.calls").tag("method", "fail").tag("code", "REMOTE_EXCEPTION")
                .timer().count()).isEqualTo(1);
        assertThat(meters.find("sluice.rpc.client.in.flight").tag("method", "echo").gauge().value()).isZero();
        double perProvider = meters.find("sluice.rpc.client.provider.calls").timers().stream()
                .mapToDouble(Timer::count).sum();
        assertThat(perProvider).isEqualTo(11);
        assertThat(meters.find("sluice.rpc.client.provider.calls").timers())
                .allSatisfy(t -> assertThat(t.getId().getTag("provider")).startsWith("127.0.0.1:"));
    }
}
