package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.RpcRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sluice.remoting.transport.TransportFixture.bytes;
import static io.sluice.remoting.transport.TransportFixture.failure;
import static io.sluice.remoting.transport.TransportFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Malformed and hostile frames close only the connection that sent them, answered where the header allows. */
class HostilePeerTest {
    private static final int MAX_FRAME = 4096;
    private final TransportFixture fixture = new TransportFixture();
    private RemotingServer server;

    @BeforeEach
    void start() {
        server = fixture.server(new RemotingServer("hostile-test", TransportFixture.config().maxFrameBytes(MAX_FRAME),
                null).handle(ApiKey.RPC_INVOKE, (ctx, request, payload) ->
                ctx.respond(null, payload.retainedDuplicate()))
                .handle(ApiKey.FETCH, (ctx, request, payload) -> {
                    FetchRequest fetch = (FetchRequest) request; // a handler trusts the decoder's type
                    ctx.respond(new FetchResponse(), bytes(String.valueOf(fetch.sessionEpoch)));
                }).start(TransportFixture.HOST, 0));
    }

    /** A server whose RPC_INVOKE answers carry {@code answerBytes} each; counts the requests it served. */
    private RemotingServer bigAnswers(TransportConfig config, int answerBytes, AtomicInteger served) {
        return fixture.server(new RemotingServer("big-answers", config, null)
                .handle(ApiKey.RPC_INVOKE, (ctx, request, payload) -> {
                    served.incrementAndGet();
                    ByteBuf answer = ctx.alloc().buffer(answerBytes);
                    answer.writeZero(answerBytes);
                    ctx.respond(null, answer);
                }).start(TransportFixture.HOST, 0));
    }

    /** {@code count} RPC_INVOKE requests of one header each, back to back. */
    private static ByteBuf requests(int count) {
        ByteBuf all = Unpooled.buffer();
        for (int i = 1; i <= count; i++) {
            ByteBuf one = RawSocket.header(18, FrameLayout.MAGIC, FrameLayout.VERSION, 0, ApiKey.RPC_INVOKE.id(), i,
                    0);
            all.writeBytes(one);
            one.release();
        }
        return all;
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private static ErrorResponse expectError(RawSocket socket, long requestId) throws Exception {
        InboundFrame frame = socket.readFrame();
        try {
            assertThat(frame.isResponse()).isTrue();
            assertThat(frame.isError()).isTrue();
            assertThat(frame.requestId()).isEqualTo(requestId);
            return frame.message();
        } finally {
            frame.release();
        }
    }

    @Test
    void oversizeFrameIsRefusedWithoutBeingBuffered() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            // claims ~2 GB; only the header is sent: the server must answer from the header alone
            socket.write(RawSocket.header(Integer.MAX_VALUE - 8, FrameLayout.MAGIC, FrameLayout.VERSION, 0,
                    ApiKey.RPC_INVOKE.id(), 41, 0));
            ErrorResponse error = expectError(socket, 41);
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(error.message).contains(TransportConfig.MAX_FRAME_BYTES).contains(String.valueOf(MAX_FRAME));
            assertThat(socket.closedByPeer()).isTrue();
        }
    }

    @Test
    void aRequestCarryingTheErrorFlagIsAnsweredMalformedFrame() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            socket.write(RawSocket.header(18, FrameLayout.MAGIC, FrameLayout.VERSION, FrameLayout.FLAG_ERROR,
                    ApiKey.FETCH.id(), 31, 0));
            ErrorResponse error = expectError(socket, 31);
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(error.message).contains("error flag");
            assertThat(socket.closedByPeer()).isTrue();
        }
    }

    @Test
    void aClientThatNeverReadsIsNoLongerReadAndItsAnswersStayWithinTheirBound() throws Exception {
        int bound = 256 * 1024;
        int answer = 64 * 1024;
        AtomicInteger served = new AtomicInteger();
        RemotingServer big = bigAnswers(TransportFixture.config().connectionMaxUnwrittenBytes(bound), answer, served);
        try (RawSocket socket = new RawSocket(big.localAddress())) {
            socket.write(requests(2_000)); // 125 MiB of answers asked for; never read
            await().atMost(20, TimeUnit.SECONDS).during(1, TimeUnit.SECONDS).until(() ->
                    big.bufferedOutboundBytes() > 0 && big.bufferedOutboundBytes() <= bound + answer + 64);
            assertThat(served.get()).as("requests served before the server stopped reading").isLessThan(2_000);
            assertThat(big.queuedRequests()).isZero();
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> big.connectionCount() == 0
                && big.bufferedOutboundBytes() == 0);
    }

    @Test
    void aConnectionWhoseAnswersAreNotTakenIsClosedAfterTheWriteTimeout() throws Exception {
        AtomicInteger served = new AtomicInteger();
        RemotingServer big = bigAnswers(TransportFixture.config().connectionMaxUnwrittenBytes(64 * 1024)
                .writeTimeoutMs(500), 64 * 1024, served);
        try (RawSocket socket = new RawSocket(big.localAddress())) {
            socket.write(requests(2_000));
            // the socket stays open, unread: the server gives up on it by itself
            await().atMost(20, TimeUnit.SECONDS).until(() -> big.connectionCount() == 0
                    && big.bufferedOutboundBytes() == 0);
        }
    }

    @Test
    void negativeLengthClosesTheConnection() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            socket.write(RawSocket.header(-5, FrameLayout.MAGIC, FrameLayout.VERSION, 0, ApiKey.RPC_INVOKE.id(),
                    1, 0));
            assertThat(socket.closedByPeer()).isTrue();
        }
    }

    @Test
    void badMagicClosesTheConnectionWithoutAnswer() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            socket.write(RawSocket.header(18, (short) 0x1234, FrameLayout.VERSION, 0, ApiKey.RPC_INVOKE.id(), 1, 0));
            assertThat(socket.closedByPeer()).isTrue();
        }
    }

    @Test
    void wrongVersionIsAnsweredUnsupportedVersion() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            socket.write(RawSocket.header(18, FrameLayout.MAGIC, (byte) 9, 0, ApiKey.RPC_INVOKE.id(), 77, 0));
            ErrorResponse error = expectError(socket, 77);
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(error.message).contains("version 9");
            assertThat(socket.closedByPeer()).isTrue();
        }
    }

    @Test
    void undecodableBodyIsAnsweredMalformed() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            ByteBuf frame = RawSocket.header(18 + 3, FrameLayout.MAGIC, FrameLayout.VERSION, 0,
                    ApiKey.RPC_INVOKE.id(), 5, 3).writeByte(0x0A).writeByte(0x7F).writeByte(0x01);
            socket.write(frame);
            ErrorResponse error = expectError(socket, 5);
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(socket.closedByPeer()).isTrue();
        }
    }

    @Test
    void unknownApiIdIsAnsweredUnsupportedApi() throws Exception {
        try (RawSocket socket = new RawSocket(server.localAddress())) {
            socket.write(RawSocket.header(18 + 4, FrameLayout.MAGIC, FrameLayout.VERSION, 0, (short) 63, 9, 2)
                    .writeShort(0x0102).writeShort(0x0304));
            ErrorResponse error = expectError(socket, 9);
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.UNSUPPORTED_API);
            assertThat(error.message).contains("63");
            assertThat(socket.closedByPeer(300)).isFalse(); // not a protocol violation: the connection stays
        }
    }

    @Test
    void garbageClosesOnlyItsOwnConnection() throws Exception {
        RemotingClient client = fixture.client(TransportFixture.config());
        Connection honest = fixture.connect(client, server);
        Random random = new Random(7);
        for (int round = 0; round < 5; round++) {
            try (RawSocket socket = new RawSocket(server.localAddress())) {
                byte[] garbage = new byte[64 + random.nextInt(512)];
                random.nextBytes(garbage);
                socket.write(garbage);
                assertThat(socket.closedByPeer()).isTrue();
            }
            try (Response response = honest.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("ok" + round),
                    5_000).get(5, TimeUnit.SECONDS)) {
                assertThat(text(response.payload())).isEqualTo("ok" + round);
            }
        }
        assertThat(honest.isActive()).isTrue();
    }

    @Test
    void clientRefusesToSendAnOversizeFrame() throws Exception {
        RemotingClient client = fixture.client(TransportFixture.config().maxFrameBytes(MAX_FRAME));
        Connection connection = fixture.connect(client, server);
        ByteBuf big = Unpooled.wrappedBuffer(new byte[MAX_FRAME]);
        SluiceException error = failure(connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), big, 5_000));
        assertThat(error.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(big.refCnt()).isZero();
        assertThat(connection.isActive()).isTrue();
        assertThat(connection.inFlight()).isZero();
        try (Response response = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("small"), 5_000)
                .get(5, TimeUnit.SECONDS)) {
            assertThat(text(response.payload())).isEqualTo("small");
        }
    }

    @Test
    void serverRefusesAnOversizeFrameFromALaxClient() throws Exception {
        RemotingClient client = fixture.client(TransportFixture.config().maxFrameBytes(64 * 1024));
        Connection connection = fixture.connect(client, server);
        SluiceException error = failure(connection.request(ApiKey.RPC_INVOKE, new RpcRequest(),
                Unpooled.wrappedBuffer(new byte[2 * MAX_FRAME]), 5_000));
        // the server answers FRAME_TOO_LARGE from the header, then closes; a reset may overtake the answer
        assertThat(error.code()).isIn(ErrorCode.FRAME_TOO_LARGE, ErrorCode.NETWORK_ERROR);
        connection.closeFuture().get(5, TimeUnit.SECONDS);
    }
}
