package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.protocol.RpcResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.sluice.remoting.transport.TransportFixture.bytes;
import static io.sluice.remoting.transport.TransportFixture.failure;
import static io.sluice.remoting.transport.TransportFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Requests and answers over a real socket: payloads, correlation, oneway, late answers, handler failures. */
class RequestResponseTest {
    private final TransportFixture fixture = new TransportFixture();
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final BlockingQueue<String> oneways = new LinkedBlockingQueue<>();
    private RemotingServer server;
    private RemotingClient client;

    @BeforeEach
    void start() {
        server = fixture.server(new RemotingServer("test-server", TransportFixture.config(), null)
                .handle(ApiKey.RPC_INVOKE, this::echo)
                .handle(ApiKey.PRODUCE, (ctx, request, payload) -> {
                    oneways.add(text(payload));
                    ctx.respond(new Empty()); // ignored: oneway
                })
                .handle(ApiKey.FETCH, (ctx, request, payload) -> {
                    ByteBuf kept = payload.retain();
                    worker.execute(() -> {
                        try {
                            RpcResponse answer = new RpcResponse();
                            answer.hasValue = true;
                            ctx.respond(new io.sluice.remoting.protocol.FetchResponse(),
                                    ctx.alloc().buffer().writeBytes(kept));
                        } finally {
                            kept.release();
                        }
                    });
                })
                .handle(ApiKey.LIST_OFFSETS, (ctx, request, payload) -> {
                    throw new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset 7 is not in [0, 5)");
                })
                .handle(ApiKey.DELETE_TOPIC, (ctx, request, payload) -> {
                    throw new IllegalStateException("boom");
                })
                .start(TransportFixture.HOST, 0));
        client = fixture.client(TransportFixture.config());
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        worker.shutdownNow();
    }

    private void echo(RequestContext ctx, Object request, ByteBuf payload) {
        RpcRequest rpc = (RpcRequest) request;
        RpcResponse answer = new RpcResponse();
        answer.hasValue = rpc.method != null;
        ByteBuf out = ctx.alloc().buffer();
        out.writeCharSequence(rpc.method + ":", java.nio.charset.StandardCharsets.UTF_8);
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        ctx.respond(answer, out);
    }

    private static RpcRequest rpc(String method) {
        RpcRequest request = new RpcRequest();
        request.service = "svc";
        request.method = method;
        request.parameterTypes = List.of("java.lang.String");
        request.attachments = Map.of("k", "v");
        return request;
    }

    @Test
    void roundTripCarriesBodyAndPayload() throws Exception {
        Connection connection = fixture.connect(client, server);
        try (Response response = connection.request(ApiKey.RPC_INVOKE, rpc("hello"), bytes("world"), 30_000)
                .get(30, TimeUnit.SECONDS)) {
            RpcResponse body = response.message();
            assertThat(body.hasValue).isTrue();
            assertThat(text(response.payload())).isEqualTo("hello:world");
        }
        assertThat(connection.inFlight()).isZero();
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void largePayloadRoundTrips() throws Exception {
        Connection connection = fixture.connect(client, server);
        String big = "x".repeat(300_000);
        try (Response response = connection.request(ApiKey.RPC_INVOKE, rpc("big"), bytes(big), 30_000)
                .get(30, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("big:" + big);
        }
    }

    @Test
    void manyConcurrentRequestsOnOneConnectionAreCorrelated() throws Exception {
        Connection connection = fixture.connect(client, server);
        int threads = 4;
        int perThread = 250;
        List<CompletableFuture<Response>> futures = new CopyOnWriteArrayList<>();
        List<String> expected = new CopyOnWriteArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String id = thread + "-" + i;
                        expected.add("m" + id + ":p" + id);
                        futures.add(connection.request(ApiKey.RPC_INVOKE, rpc("m" + id), bytes("p" + id), 30_000));
                    }
                }, senders));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } finally {
            senders.shutdown();
        }
        List<String> answers = new ArrayList<>();
        for (CompletableFuture<Response> future : futures) {
            try (Response response = future.get(10, TimeUnit.SECONDS)) {
                answers.add(text(response.payload()));
            }
        }
        assertThat(answers).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(connection.inFlight()).isZero();
    }

    @Test
    void onewayIsDeliveredWithoutAnswer() throws Exception {
        Connection connection = fixture.connect(client, server);
        connection.send(ApiKey.PRODUCE, new io.sluice.remoting.protocol.ProduceRequest(), bytes("fire"))
                .get(30, TimeUnit.SECONDS);
        assertThat(oneways.poll(30, TimeUnit.SECONDS)).isEqualTo("fire");
        assertThat(connection.inFlight()).isZero();
        // the connection still answers requests afterwards (no stray answer confused it)
        try (Response response = connection.request(ApiKey.RPC_INVOKE, rpc("after"), null, 30_000)
                .get(30, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("after:");
        }
    }

    @Test
    void handlerMayAnswerLaterFromAnotherThread() throws Exception {
        Connection connection = fixture.connect(client, server);
        try (Response response = connection.request(ApiKey.FETCH, new io.sluice.remoting.protocol.FetchRequest(),
                bytes("later"), 30_000).get(30, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("later");
        }
    }

    @Test
    void handlerThrowingAnswersItsErrorAndConnectionStaysOpen() throws Exception {
        Connection connection = fixture.connect(client, server);
        SluiceException known = failure(connection.request(ApiKey.LIST_OFFSETS, null, null, 30_000));
        assertThat(known.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(known.getMessage()).contains("offset 7");

        SluiceException unknown = failure(connection.request(ApiKey.DELETE_TOPIC, null, bytes("x"), 30_000));
        assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(unknown.getMessage()).contains("boom");

        assertThat(connection.isActive()).isTrue();
        try (Response response = connection.request(ApiKey.RPC_INVOKE, rpc("still"), null, 30_000)
                .get(30, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("still:");
        }
    }

    @Test
    void unregisteredApiIsAnsweredUnsupported() throws Exception {
        Connection connection = fixture.connect(client, server);
        SluiceException error = failure(connection.request(ApiKey.GET_ROUTES, null, bytes("x"), 30_000));
        assertThat(error.code()).isEqualTo(ErrorCode.UNSUPPORTED_API);
        assertThat(error.getMessage()).contains("GET_ROUTES").contains("test-server");
        assertThat(connection.isActive()).isTrue();
    }

    @Test
    void heartbeatRequestIsAnsweredByTheTransport() throws Exception {
        Connection connection = fixture.connect(client, server);
        try (Response response = connection.request(ApiKey.HEARTBEAT, new Empty(), null, 30_000)
                .get(30, TimeUnit.SECONDS)) {
            assertThat((Object) response.message()).isInstanceOf(Empty.class);
        }
    }

    @Test
    void pooledConnectionIsSharedAndReplacedAfterClose() throws Exception {
        var address = server.localAddress();
        List<CompletableFuture<Connection>> concurrent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            concurrent.add(client.connection(address));
        }
        Connection first = concurrent.get(0).get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Connection> future : concurrent) {
            assertThat(future.get(30, TimeUnit.SECONDS)).isSameAs(first);
        }
        first.close();
        first.closeFuture().get(30, TimeUnit.SECONDS);
        Connection second = client.connection(address).get(30, TimeUnit.SECONDS);
        assertThat(second).isNotSameAs(first);
        assertThat(second.isActive()).isTrue();
        await().atMost(30, TimeUnit.SECONDS).until(() -> server.connectionCount() == 1);
    }
}
