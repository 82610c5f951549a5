package io.sluice.rpc;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.demo.User;
import io.sluice.rpc.demo.UserServiceImpl;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Calls over a direct address (no registry): sync, async, oneway, exceptions, POJOs, generic. */
class DirectCallTest {
    private final TestServiceImpl impl = new TestServiceImpl("p1");
    private RpcServer server;
    private RpcClient client;
    private TestService stub;

    @BeforeEach
    void start() {
        server = RpcServer.builder().host("127.0.0.1").port(0).service(TestService.class, impl, "1.0", "", 100)
                .start();
        client = RpcClient.builder().registry("rpc://127.0.0.1:" + server.port()).build();
        stub = client.stub(TestService.class, o -> o.version("1.0").method("record", m -> m.oneway()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void syncCallsReturnValues() {
        assertThat(stub.echo("hi")).isEqualTo("hi");
        assertThat(stub.add(40, 2)).isEqualTo(42L);
        assertThat(stub.whoami()).isEqualTo("p1");
        User user = UserServiceImpl.newUser(7);
        assertThat(stub.roundTrip(user)).isEqualTo(user);
        assertThat(stub.users(3)).hasSize(3).first().isEqualTo(UserServiceImpl.newUser(0));
        assertThat(stub.any(Map.of("k", List.of(1L, 2L)))).isEqualTo(Map.of("k", List.of(1L, 2L)));
        assertThat(stub.echo(null)).isNull();
    }

    @Test
    void versionAndGroupSelectTheService() {
        TestServiceImpl blue = new TestServiceImpl("blue");
        TestServiceImpl green = new TestServiceImpl("green");
        try (RpcServer groups = RpcServer.builder().port(0).service(TestService.class, blue, "2.0", "blue", 100)
                .service(TestService.class, green, "2.0", "green", 100).start();
             RpcClient c = RpcClient.builder().registry("rpc://127.0.0.1:" + groups.port()).build()) {
            assertThat(groups.serviceKeys()).containsExactly(TestService.class.getName() + ":2.0@blue",
                    TestService.class.getName() + ":2.0@green");
            assertThat(c.stub(TestService.class, o -> o.version("2.0").group("blue")).whoami()).isEqualTo("blue");
            assertThat(c.stub(TestService.class, o -> o.version("2.0").group("green")).whoami()).isEqualTo("green");
        }
    }

    @Test
    void asyncCallsComplete() throws Exception {
        assertThat(stub.echoAsync("x").get(5, TimeUnit.SECONDS)).isEqualTo("async:x");
        CompletableFuture<Long> sum = RpcClient.async(() -> stub.add(1, 2));
        assertThat(sum.get(5, TimeUnit.SECONDS)).isEqualTo(3L);
    }

    @Test
    void onewayCallsOfOneCallerTakeEffectInTheOrderItMadeThem() {
        impl.recordJitterMs = 5; // each call sleeps 0-5 ms: on the pool's 64 threads they would finish in any order
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            stub.record("e" + i);
            sent.add("e" + i);
        }
        assertThat(stub.echo("two-way calls still run")).isEqualTo("two-way calls still run");
        await().atMost(20, TimeUnit.SECONDS).until(() -> impl.events.size() == sent.size());
        assertThat(impl.events).containsExactlyElementsOf(sent);
    }

    @Test
    void remoteExceptionsCarryTypeAndMessage() {
        assertThatThrownBy(() -> stub.fail("boom"))
                .isInstanceOfSatisfying(RpcRemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REMOTE_EXCEPTION);
                    assertThat(e.remoteType()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(e.remoteMessage()).isEqualTo("boom");
                });
        assertThat(stub.echo("still serving")).isEqualTo("still serving");
    }

    @Test
    void genericInvocationWorksWithoutTheInterface() {
        GenericService generic = client.generic(TestService.class.getName(), o -> o.version("1.0"));
        assertThat(generic.invoke("add", new String[] {"long", "long"}, 2, 3)).isEqualTo(5L);
        Object user = generic.invoke("roundTrip", null, Map.of("id", 9L, "name", "Ada"));
        assertThat(user).isInstanceOfSatisfying(Map.class, m -> {
            assertThat(m.get("id")).isEqualTo(9L);
            assertThat(m.get("name")).isEqualTo("Ada");
            assertThat(m.get("class")).isEqualTo(User.class.getName());
        });
        assertThatThrownBy(() -> generic.invoke("add", new String[] {"long", "long"}, "abc", 1))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("generic call, argument 0 of ").hasMessageNotContaining("argument argument");
        // a map for an Object parameter is passed as that map (Dubbo's generic calls do the same)
        Map<String, Object> order = Map.of("id", 7L, "items", List.of("tea", "cake"));
        assertThat(generic.invoke("any", new String[] {"java.lang.Object"}, order)).isEqualTo(order);
    }
}
