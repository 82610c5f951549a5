package io.sluice.remoting.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.RpcRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.sluice.remoting.transport.TransportFixture.bytes;
import static io.sluice.remoting.transport.TransportFixture.failure;
import static io.sluice.remoting.transport.TransportFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slow is not dead, over real sockets on 127.0.0.1 with a short heartbeat interval (50 ms) and short limits
 * (1 s, long enough that a busy machine delaying a test thread does not decide a test): a peer that trickles bytes, a server that answers after a long silence, one whose I/O thread stalls, and
 * a server that owes an answer to a quiet client all keep their connections; a silent peer owed nothing is closed,
 * and a silent peer with answers awaited is retired (no new requests) without failing the requests awaited on it.
 */
class LivenessTest {
    private static final long INTERVAL_MS = 50;
    private static final long LIMIT_MS = 1_000;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private static TransportConfig config() {
        return TransportFixture.config().heartbeatIntervalMs(INTERVAL_MS).livenessTimeoutMs(LIMIT_MS)
                .connectionsMaxIdleMs(LIMIT_MS);
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private RemotingClient client() {
        return client(config());
    }

    private RemotingClient client(TransportConfig config) {
        return keep(new RemotingClient("liveness-test", config, registry));
    }

    private double closed(String side, String reason) {
        Counter counter = registry.find("sluice.transport.connections.closed").tag("side", side)
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private double closedForLiveness() {
        return registry.find("sluice.transport.connections.closed").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void bytesTricklingInKeepAConnectionThatAnswersNoPing() throws Exception {
        ScriptedPeer peer = keep(new ScriptedPeer());
        long limitMs = 2 * LIMIT_MS; // far above the trickle's gaps, so that a busy machine delaying it is no matter
        Connection connection = client(config().livenessTimeoutMs(limitMs)).connect(peer.address())
                .get(5, TimeUnit.SECONDS);
        peer.accept();
        // a 600-byte answer to nothing, sent a byte every 100 ms (two heartbeat intervals): a minute at that pace;
        // the test stops after two liveness timeouts
        peer.write(ScriptedPeer.header(600, FrameLayout.FLAG_RESPONSE, ApiKey.FETCH, 99));
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * limitMs);
        while (System.nanoTime() - until < 0) {
            peer.write(new byte[] {0});
            Thread.sleep(2 * INTERVAL_MS);
            assertThat(connection.isActive()).as("bytes keep coming").isTrue();
        }
        assertThat(peer.pings()).as("the client pinged; the peer never answered").isPositive();
        assertThat(closedForLiveness()).isZero();

        // the bytes stop: silent and owed nothing, it is closed after the liveness timeout
        connection.closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(closed("client", HeartbeatHandler.SILENT)).isEqualTo(1.0);
    }

    @Test
    void aSlowAnswerAfterALongSilenceIsWaitedForAndNothingIsResent() throws Exception {
        ScriptedPeer peer = keep(new ScriptedPeer());
        Connection connection = client().connect(peer.address()).get(5, TimeUnit.SECONDS);
        peer.accept();
        CompletableFuture<Response> answer = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("x"),
                10_000);
        long requestId = peer.nextRequest();
        // silent past the liveness timeout with an answer awaited: retired (no new work), not closed
        await().atMost(10, TimeUnit.SECONDS).until(() -> !connection.isActive());
        // more liveness timeouts without a byte from the peer (pings unanswered): the request is still awaited
        await().during(2 * LIMIT_MS, TimeUnit.MILLISECONDS).atMost(10, TimeUnit.SECONDS)
                .until(() -> !connection.closeFuture().isDone() && !answer.isDone());
        assertThat(peer.pings()).isPositive();
        assertThat(closedForLiveness()).isZero();
        peer.answer(ApiKey.RPC_INVOKE, requestId);
        answer.get(5, TimeUnit.SECONDS).close();
        assertThat(peer.requestsWaiting()).as("sent once, never again").isZero();

        // nothing awaited any more: the retired connection closes
        connection.closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(closed("client", HeartbeatHandler.SILENT)).isEqualTo(1.0);
    }

    @Test
    void aSilentPeerWithAnswersAwaitedIsRetiredAndEveryRequestKeepsItsOwnTimeout() throws Exception {
        ScriptedPeer peer = keep(new ScriptedPeer());
        RemotingClient client = client();
        CompletableFuture<Connection> pooled = client.connection(peer.address());
        Connection connection = pooled.get(5, TimeUnit.SECONDS);
        peer.accept();
        CompletableFuture<Response> shortOne = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), null,
                3 * LIMIT_MS);
        CompletableFuture<Response> longOne = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), null,
                5 * LIMIT_MS);
        peer.nextRequest();
        peer.nextRequest();

        // retired: no new requests (they fail unsent), the pool moves on, the awaited ones keep their timeouts
        await().atMost(10, TimeUnit.SECONDS).until(() -> !connection.isActive());
        assertThat(connection.closeFuture()).isNotDone();
        SluiceException refused = failure(connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("no"),
                1_000));
        assertThat(refused.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        assertThat(refused.getMessage()).contains("not sent").contains("retired").contains("nothing heard");
        assertThat(client.connection(peer.address())).isNotSameAs(pooled);

        SluiceException timedOut = failure(shortOne);
        assertThat(timedOut.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
        assertThat(timedOut.getMessage()).contains("nothing heard");
        assertThat(connection.closeFuture()).as("one answer still awaited").isNotDone();
        SluiceException late = failure(longOne);
        assertThat(late.code()).as("timed out on its own terms, not failed by a close")
                .isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
        connection.closeFuture().get(5, TimeUnit.SECONDS);
        // (the pool's new connection to the silent peer is closed as silent too, in its own time)
        assertThat(closed("client", HeartbeatHandler.SILENT)).isGreaterThanOrEqualTo(1.0);
        assertThat(peer.requestsWaiting()).as("the refused request never left").isZero();
    }

    @Test
    void aServerWhoseIoThreadStallsStillAnswersAndKeepsItsConnection() throws Exception {
        // a stall of 30 heartbeat intervals (the old rule gave up after 5) with the default limits: slow, not dead
        TransportConfig config = TransportFixture.config().heartbeatIntervalMs(INTERVAL_MS);
        RemotingServer server = keep(new RemotingServer("stalling", config, registry)
                .handle(ApiKey.RPC_INVOKE, (ctx, request, payload) -> {
                    ByteBuf echo = payload.retainedDuplicate();
                    // the server's only I/O thread stops for 1.5 s: no ping is answered meanwhile
                    ctx.executor().execute(() -> {
                        sleep(30 * INTERVAL_MS);
                        ctx.respond(null, echo);
                    });
                })
                .start(TransportFixture.HOST, 0));
        Connection connection = client(config).connect(server.localAddress()).get(5, TimeUnit.SECONDS);
        try (Response response = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("slow"), 10_000)
                .get(10, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("slow");
        }
        assertThat(connection.isActive()).isTrue();
        assertThat(closedForLiveness()).isZero();
    }

    @Test
    void aServerKeepsAQuietConnectionItOwesAnAnswerOnAndClosesItOnceIdle() throws Exception {
        BlockingQueue<RequestContext> parked = new LinkedBlockingQueue<>();
        RemotingServer server = keep(new RemotingServer("parking", config(), registry)
                .handle(ApiKey.FETCH, (ctx, request, payload) -> parked.add(ctx))
                .start(TransportFixture.HOST, 0));
        try (RawSocket client = new RawSocket(server.localAddress())) {
            // a long-poll fetch, then not a byte more from the client (no pings either)
            client.write(ScriptedPeer.header(FrameLayout.HEADER_SIZE - 4, 0, ApiKey.FETCH, 5));
            RequestContext fetch = parked.poll(5, TimeUnit.SECONDS);
            assertThat(fetch).isNotNull();
            assertThat(client.closedByPeer((int) (3 * LIMIT_MS))).as("owed an answer: kept").isFalse();
            assertThat(closed("server", HeartbeatHandler.IDLE)).isZero();

            fetch.respond(new FetchResponse(), bytes("data"));
            InboundFrame answer = client.readFrame();
            try {
                assertThat(answer.requestId()).isEqualTo(5);
                assertThat(text(answer.payload())).isEqualTo("data");
            } finally {
                answer.release();
            }
            assertThat(client.closedByPeer(5_000)).as("owed nothing, idle: closed").isTrue();
            assertThat(closed("server", HeartbeatHandler.IDLE)).isEqualTo(1.0);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
