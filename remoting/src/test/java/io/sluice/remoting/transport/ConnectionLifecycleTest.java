package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.RpcRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sluice.remoting.transport.TransportFixture.bytes;
import static io.sluice.remoting.transport.TransportFixture.failure;
import static io.sluice.remoting.transport.TransportFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Limits, timeouts, closes, heartbeats and connect/bind failures. */
class ConnectionLifecycleTest {
    private final TransportFixture fixture = new TransportFixture();
    /** Requests the "parking" handler holds without answering. */
    private final BlockingQueue<RequestContext> parked = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private RemotingServer parkingServer(TransportConfig config) {
        return fixture.server(new RemotingServer("lifecycle-test", config, null)
                .handle(ApiKey.FETCH, (ctx, request, payload) -> parked.add(ctx))
                .handle(ApiKey.RPC_INVOKE, (ctx, request, payload) -> ctx.respond(null, payload.retainedDuplicate()))
                .start(TransportFixture.HOST, 0));
    }

    private static void answerParked(RequestContext ctx, String payload) {
        ByteBuf out = ctx.alloc().buffer();
        out.writeCharSequence(payload, java.nio.charset.StandardCharsets.UTF_8);
        ctx.respond(new FetchResponse(), out);
    }

    @Test
    void clientFailsFastOverItsInFlightLimit() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        Connection connection = fixture.connect(fixture.client(TransportFixture.config().maxInFlight(2)), server);
        CompletableFuture<Response> first = connection.request(ApiKey.FETCH, new FetchRequest(), null, 5_000);
        CompletableFuture<Response> second = connection.request(ApiKey.FETCH, new FetchRequest(), null, 5_000);
        ByteBuf payload = bytes("dropped");
        SluiceException error = failure(connection.request(ApiKey.FETCH, new FetchRequest(), payload, 5_000));
        assertThat(error.code()).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
        assertThat(payload.refCnt()).isZero();
        assertThat(connection.inFlight()).isEqualTo(2);

        answerParked(parked.poll(5, TimeUnit.SECONDS), "a");
        answerParked(parked.poll(5, TimeUnit.SECONDS), "b");
        first.get(5, TimeUnit.SECONDS).close();
        second.get(5, TimeUnit.SECONDS).close();
        assertThat(connection.inFlight()).isZero();
    }

    @Test
    void serverStopsReadingAConnectionAtItsInFlightQuotaInsteadOfAnsweringErrors() throws Exception {
        // the server would close a connection idle for 150 ms: not while it owes answers on it or is not reading it
        RemotingServer server = parkingServer(TransportFixture.config().maxInFlight(2).heartbeatIntervalMs(50)
                .connectionsMaxIdleMs(150));
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        CompletableFuture<Response> first = connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000);
        CompletableFuture<Response> second = connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000);
        RequestContext a = parked.poll(5, TimeUnit.SECONDS);
        RequestContext b = parked.poll(5, TimeUnit.SECONDS);
        CompletableFuture<Response> third = connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000);
        // the third stays unread: it neither reaches the handler nor fails
        assertThat(parked.poll(600, TimeUnit.MILLISECONDS)).isNull();
        assertThat(third).isNotDone();
        assertThat(connection.isActive()).isTrue();
        assertThat(server.queuedRequests()).isEqualTo(2);

        answerParked(a, "a"); // back under the quota: reading resumes
        RequestContext c = parked.poll(5, TimeUnit.SECONDS);
        assertThat(c).isNotNull();
        answerParked(b, "b");
        answerParked(c, "c");
        try (Response ra = first.get(5, TimeUnit.SECONDS); Response rb = second.get(5, TimeUnit.SECONDS);
             Response rc = third.get(5, TimeUnit.SECONDS)) {
            assertThat(text(ra.payload()) + text(rb.payload()) + text(rc.payload())).isEqualTo("abc");
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.queuedRequests() == 0);
    }

    @Test
    void requestsParkedByAClosedConnectionAreAbandonedAndLeaveTheServerBudget() throws Exception {
        AtomicInteger dropped = new AtomicInteger();
        RemotingServer server = fixture.server(new RemotingServer("abandon-test", TransportFixture.config(), null)
                .handle(ApiKey.FETCH, (ctx, request, payload) -> {
                    parked.add(ctx);
                    ctx.onAbandoned(dropped::incrementAndGet);
                })
                .start(TransportFixture.HOST, 0));
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000);
        connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000);
        RequestContext a = parked.poll(5, TimeUnit.SECONDS);
        parked.poll(5, TimeUnit.SECONDS);
        assertThat(server.queuedRequests()).isEqualTo(2);
        connection.close();
        await().atMost(5, TimeUnit.SECONDS).until(() -> dropped.get() == 2 && server.queuedRequests() == 0);
        // an answer computed later is dropped at once, its payload released
        ByteBuf late = a.alloc().buffer().writeLong(7);
        a.respond(new FetchResponse(), late);
        assertThat(late.refCnt()).isZero();
        assertThat(server.bufferedOutboundBytes()).isZero();
    }

    @Test
    void requestTimesOutAndTheLateAnswerIsDropped() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        SluiceException error = failure(connection.request(ApiKey.FETCH, new FetchRequest(), null, 100));
        assertThat(error.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
        assertThat(error.getMessage()).contains("FETCH").contains("100 ms");
        assertThat(connection.inFlight()).isZero();

        answerParked(parked.poll(5, TimeUnit.SECONDS), "late"); // arrives after the timeout: dropped, released
        try (Response response = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("next"), 5_000)
                .get(5, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("next");
        }
        assertThat(connection.isActive()).isTrue();
    }

    @Test
    void closingTheConnectionFailsPendingRequestsWithNetworkError() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        List<CompletableFuture<Response>> pending = List.of(
                connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000),
                connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000));
        parked.poll(5, TimeUnit.SECONDS);
        parked.poll(5, TimeUnit.SECONDS);
        server.close();
        for (CompletableFuture<Response> future : pending) {
            SluiceException error = failure(future);
            assertThat(error.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
            assertThat(error.getMessage()).contains(String.valueOf(server.localAddress().getPort()));
        }
        connection.closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(connection.isActive()).isFalse();
        assertThat(connection.inFlight()).isZero();
        SluiceException after = failure(connection.request(ApiKey.FETCH, new FetchRequest(), bytes("x"), 1_000));
        assertThat(after.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
    }

    @Test
    void heartbeatsKeepAnIdleConnectionAlive() throws Exception {
        // pings every 50 ms keep both ends hearing each other well within their limits (2 s: a busy machine may
        // stall a thread for a good part of a second)
        TransportConfig config = TransportFixture.config().heartbeatIntervalMs(50).livenessTimeoutMs(2_000)
                .connectionsMaxIdleMs(2_000);
        RemotingServer server = parkingServer(config);
        Connection connection = fixture.connect(fixture.client(config), server);
        connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), null, 5_000).get(5, TimeUnit.SECONDS).close();
        await().during(5, TimeUnit.SECONDS).atMost(30, TimeUnit.SECONDS)
                .until(() -> connection.isActive() && server.connectionCount() == 1);
        try (Response response = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("alive"), 5_000)
                .get(5, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("alive");
        }
    }

    @Test
    void clientGivesUpOnASilentServerItAwaitsNothingFrom() throws Exception {
        TransportConfig config = TransportFixture.config().heartbeatIntervalMs(50).livenessTimeoutMs(300);
        try (ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getByName(TransportFixture.HOST))) {
            RemotingClient client = fixture.client(config);
            Connection connection = client.connect(new InetSocketAddress(TransportFixture.HOST,
                    silent.getLocalPort())).get(5, TimeUnit.SECONDS);
            try (Socket accepted = silent.accept()) {
                connection.closeFuture().get(5, TimeUnit.SECONDS);
                assertThat(accepted.getInputStream().read()).isGreaterThanOrEqualTo(0); // it did ping
            }
        }
    }

    @Test
    void serverClosesASilentClient() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config().heartbeatIntervalMs(50)
                .connectionsMaxIdleMs(300));
        try (RawSocket silent = new RawSocket(server.localAddress())) {
            assertThat(silent.closedByPeer(5_000)).isTrue();
            await().atMost(5, TimeUnit.SECONDS).until(() -> server.connectionCount() == 0);
        }
    }

    @Test
    void connectToAClosedPortFailsWithNetworkError() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName(TransportFixture.HOST))) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress(TransportFixture.HOST, port);
        RemotingClient client = fixture.client(TransportFixture.config());
        SluiceException error = failure(client.connect(address));
        assertThat(error.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        assertThat(error.getMessage()).contains("127.0.0.1:" + port);
        assertThat(failure(client.connection(address)).code()).isEqualTo(ErrorCode.NETWORK_ERROR);
    }

    @Test
    void bindingATakenPortFailsWithPortInUse() {
        RemotingServer first = parkingServer(TransportFixture.config());
        int port = first.localAddress().getPort();
        RemotingServer second = fixture.server(new RemotingServer("second", TransportFixture.config(), null));
        assertThatThrownBy(() -> second.start(TransportFixture.HOST, port))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE))
                .hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void closedClientRefusesNewConnections() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        RemotingClient client = new RemotingClient("closing", TransportFixture.config(), null);
        Connection connection = fixture.connect(client, server);
        CompletableFuture<Response> pending = connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000);
        parked.poll(5, TimeUnit.SECONDS);
        client.close();
        assertThat(failure(pending).code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        assertThat(failure(client.connect(server.localAddress())).code()).isEqualTo(ErrorCode.CLIENT_CLOSED);
        assertThat(failure(client.connection(server.localAddress())).code()).isEqualTo(ErrorCode.CLIENT_CLOSED);
    }

    @Test
    void onlyTheFirstAnswerCountsAndLaterOnesAreReleased() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        CompletableFuture<Response> future = connection.request(ApiKey.FETCH, new FetchRequest(), null, 5_000);
        RequestContext ctx = parked.poll(5, TimeUnit.SECONDS);
        answerParked(ctx, "first");
        assertThat(ctx.isDone()).isTrue();
        ByteBuf second = bytes("second");
        ctx.respond(new FetchResponse(), second);
        ctx.fail(ErrorCode.UNKNOWN, "third");
        assertThat(second.refCnt()).isZero();
        try (Response response = future.get(5, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("first");
        }
    }

    @Test
    void anAnswerToAGoneClientIsReleased() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        CompletableFuture<Response> future = connection.request(ApiKey.FETCH, new FetchRequest(), null, 5_000);
        RequestContext ctx = parked.poll(5, TimeUnit.SECONDS);
        connection.close();
        assertThat(failure(future).code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        await().atMost(5, TimeUnit.SECONDS).until(ctx::isDone);
        ByteBuf payload = bytes("nobody listens");
        ctx.respond(new FetchResponse(), payload);
        await().atMost(5, TimeUnit.SECONDS).until(() -> payload.refCnt() == 0);
    }

    @Test
    void answersFromManyThreadsAtOnceAreAllDelivered() throws Exception {
        RemotingServer server = parkingServer(TransportFixture.config());
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        int count = 200;
        List<CompletableFuture<Response>> futures = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(connection.request(ApiKey.FETCH, new FetchRequest(), null, 10_000));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> answerers = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    RequestContext ctx;
                    while ((ctx = parked.poll(500, TimeUnit.MILLISECONDS)) != null) {
                        answerParked(ctx, String.valueOf(ctx.requestId()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            answerers.add(thread);
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> parked.size() == count);
        go.countDown();
        for (CompletableFuture<Response> future : futures) {
            future.get(10, TimeUnit.SECONDS).close();
        }
        for (Thread thread : answerers) {
            thread.join(5_000);
        }
        assertThat(connection.inFlight()).isZero();
    }
}
