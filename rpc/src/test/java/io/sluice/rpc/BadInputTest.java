package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.Response;
import io.sluice.rpc.internal.serialize.AllowList;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import io.sluice.rpc.testing.RawRpc;
import io.sluice.rpc.demo.UserService;
import io.sluice.rpc.outside.Gadget;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Every kind of bad input gets a clear error, and the provider keeps serving. */
class BadInputTest {
    private final TestServiceImpl impl = new TestServiceImpl("p");
    private RpcServer server;
    private RpcClient client;
    private TestService stub;

    @BeforeEach
    void start() {
        server = RpcServer.builder().config(RpcTests.serverConfig().maxPayloadBytes(4096).businessThreads(1)
                .businessQueue(1)).service(TestService.class, impl, "1.0", "", 100).start();
        client = RpcClient.builder().registry("rpc://127.0.0.1:" + server.port())
                .config(new RpcClientConfig().maxPayloadBytes(1024 * 1024)).build();
        stub = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast"));
    }

    @AfterEach
    void stop() {
        impl.openGate();
        client.close();
        server.close();
    }

    private void fails(ThrowableAssert.ThrowingCallable call, ErrorCode code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            for (String part : messageParts) {
                assertThat(e.getMessage()).contains(part);
            }
        });
        assertThat(stub.echo("still serving")).isEqualTo("still serving");
    }

    @Test
    void unknownServiceOrVersion() {
        UserService missing = client.stub(UserService.class, o -> o.cluster("failfast"));
        fails(() -> missing.getUser(1), ErrorCode.SERVICE_NOT_FOUND, UserService.class.getName());
        TestService wrongVersion = client.stub(TestService.class, o -> o.version("2.0").cluster("failfast"));
        fails(() -> wrongVersion.echo("x"), ErrorCode.SERVICE_NOT_FOUND, "version '2.0'",
                TestService.class.getName() + ":1.0");
    }

    @Test
    void unknownMethodOrWrongArgumentTypes() {
        GenericService generic = client.generic(TestService.class.getName(), o -> o.version("1.0")
                .cluster("failfast"));
        fails(() -> generic.invoke("nope", new String[0]), ErrorCode.METHOD_NOT_FOUND, "no method nope",
                "add(long, long)");
        fails(() -> generic.invoke("add", new String[] {"int", "int"}, 1, 2), ErrorCode.METHOD_NOT_FOUND,
                "add(int, int)");
        fails(() -> generic.invoke("add", new String[] {"long", "long"}, "abc", 2), ErrorCode.INVALID_REQUEST,
                "argument 0", "abc");
    }

    private static byte[] encode(Object[] values, Class<?>... types) {
        RpcSerializer serializer = new RpcSerializer(AllowList.defaults(), 4096);
        ByteBuf buf = serializer.encode(ByteBufAllocator.DEFAULT, serializer.schemaFor(types), values);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static void answered(RawRpc raw, RpcRequest request, byte[] payload, ErrorCode code,
                                 String... messageParts) throws Exception {
        assertThatThrownBy(() -> raw.call(request, payload).get(10, TimeUnit.SECONDS).close())
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
                    for (String part : messageParts) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    @Test
    void everyBadFieldOfARequestIsAnsweredByName() throws Exception {
        String service = TestService.class.getName();
        byte[] text = encode(new Object[] {"x"}, String.class);
        try (RawRpc raw = new RawRpc(server.address())) {
            answered(raw, RawRpc.request(service, null, "java.lang.String"), text, ErrorCode.INVALID_REQUEST,
                    "names no method", "RpcRequest.method");
            answered(raw, RawRpc.request(service, " ", "java.lang.String"), text, ErrorCode.INVALID_REQUEST,
                    "RpcRequest.method");
            answered(raw, RawRpc.request(null, "echo", "java.lang.String"), text, ErrorCode.INVALID_REQUEST,
                    "names no service", "RpcRequest.service");
            answered(raw, RawRpc.request(service, "echo", "java.lang.String", ""), text, ErrorCode.INVALID_REQUEST,
                    "empty parameter type #2", "RpcRequest.parameterTypes");
            answered(raw, RawRpc.request(service, "echo", Collections.nCopies(300, "int").toArray(new String[0])),
                    text, ErrorCode.INVALID_REQUEST, "300 parameter types", "at most 255");
            answered(raw, RawRpc.request(service, "m".repeat(5_000), "java.lang.String"), text,
                    ErrorCode.INVALID_REQUEST, "method name of 5000 characters", "at most 1024");
            RpcRequest negative = RawRpc.request(service, "echo", "java.lang.String");
            negative.timeoutMs = -5;
            answered(raw, negative, text, ErrorCode.INVALID_REQUEST, "negative deadline", "RpcRequest.timeoutMs");
            RpcRequest badAttachment = RawRpc.request(service, "echo", "java.lang.String");
            badAttachment.attachments = Map.of("generic", "yes");
            answered(raw, badAttachment, text, ErrorCode.INVALID_REQUEST, "generic='yes'", "true or false");
            // the parameter types name fewer arguments than the payload carries
            answered(raw, RawRpc.request(service, "add", "long", "long"),
                    encode(new Object[] {1L, 2L, 3L}, long.class, long.class, long.class), ErrorCode.INVALID_REQUEST,
                    "value #3 was sent, but 2 values are declared");
            answered(raw, RawRpc.request(service, "whoami"), text, ErrorCode.INVALID_REQUEST,
                    "value #1 was sent, but 1 value is declared".replace("1 value is", "0 values are"));
            // absent version and group mean "": the 1.0 service is not found, and the answer says so
            RpcRequest noVersion = RawRpc.request(service, "echo", "java.lang.String");
            noVersion.version = null;
            noVersion.group = null;
            answered(raw, noVersion, text, ErrorCode.SERVICE_NOT_FOUND, "version ''", service + ":1.0");
            assertThat(impl.calls.get()).as("no bad request ran").isZero();
            // absent parameter types: the only method of that name
            try (Response ok = raw.call(RawRpc.request(service, "echo", (String[]) null), text)
                    .get(10, TimeUnit.SECONDS)) {
                assertThat(ok.<io.sluice.remoting.protocol.RpcResponse>message().hasValue).isTrue();
            }
            assertThat(raw.connection().isActive()).isTrue();
        }
        assertThat(stub.echo("still serving")).isEqualTo("still serving");
    }

    @Test
    void aClassOutsideTheAllowListIsRefused() {
        fails(() -> stub.any(new Gadget()), ErrorCode.CLASS_NOT_ALLOWED, Gadget.class.getName());
        fails(() -> stub.any(new ProcessBuilder("rm", "-rf", "/")), ErrorCode.CLASS_NOT_ALLOWED,
                "java.lang.ProcessBuilder");
        assertThat(impl.calls.get()).as("refused before the method ran").isEqualTo(2); // the two echo checks
    }

    @Test
    void oversizedPayloadsAreRefusedBothWays() {
        fails(() -> stub.echo("x".repeat(10_000)), ErrorCode.INVALID_REQUEST, "exceeds the limit of 4096",
                "sluice.rpc.max.payload.bytes");
        fails(() -> stub.bytes(10_000), ErrorCode.INVALID_REQUEST, "exceeds the limit of 4096");
        try (RpcClient small = RpcClient.builder().registry("rpc://127.0.0.1:" + server.port())
                .config(new RpcClientConfig().maxPayloadBytes(2048)).build()) {
            TestService smallStub = small.stub(TestService.class, o -> o.version("1.0").cluster("failfast"));
            fails(() -> smallStub.echo("y".repeat(5_000)), ErrorCode.INVALID_REQUEST, "exceeds the limit of 2048");
        }
    }

    @Test
    void garbageOnThePortClosesOnlyThatConnection() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] truncatedFrame = {0, 0, 0, 30, 0x51, (byte) 0xCE, 1, 0, 0, 40, 1, 2, 3};
        for (byte[] junk : new byte[][] {garbage, http, truncatedFrame}) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(junk);
                out.flush();
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[1024];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (in.read(buf) >= 0 && System.nanoTime() < deadline) {
                    // drain whatever error frame the server sends until it closes
                }
            }
            assertThat(stub.echo("after garbage")).isEqualTo("after garbage");
        }
    }

    @Test
    void aFullBusinessPoolAnswersBusyAtOnce() throws Exception {
        TestService slow = client.stub(TestService.class, o -> o.version("1.0").cluster("failfast")
                .timeout(Duration.ofSeconds(10)));
        CompletableFuture<String> running = RpcClient.async(() -> slow.gated("a"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> impl.gatedEntered.get() == 1);
        CompletableFuture<String> queued = RpcClient.async(() -> slow.gated("b"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.inFlight() == 2);
        long start = System.nanoTime();
        assertThatThrownBy(() -> slow.echo("c")).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_BUSY);
            assertThat(e.getMessage()).contains("sluice.rpc.server.business.threads");
        });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("answered at once, not queued")
                .isLessThan(5_000);
        impl.openGate();
        assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo("p:a");
        assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("p:b");
        assertThat(stub.echo("free again")).isEqualTo("free again");
    }
}
