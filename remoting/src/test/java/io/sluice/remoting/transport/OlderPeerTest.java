package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.protocol.ProducePartition;
import io.sluice.remoting.protocol.ProduceRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client of this version talking to a server of protocol version 1: the old server refuses the request in its own
 * version (as it did: UNSUPPORTED_VERSION with the requester's id), and the caller gets that refusal, saying which
 * side to upgrade, rather than a dropped connection (NETWORK_ERROR, which a producer would retry until it gave up).
 */
class OlderPeerTest {
    private final TransportFixture fixture = new TransportFixture();
    private ServerSocket oldServer;
    private Thread serving;

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        if (oldServer != null) {
            oldServer.close();
        }
        if (serving != null) {
            serving.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void aRefusalFromAVersionOneServerReachesTheCallerAsUnsupportedVersion() throws Exception {
        oldServer = new ServerSocket(0, 1, InetAddress.getByName(TransportFixture.HOST));
        serving = new Thread(this::serveAsVersionOne, "version-1-server");
        serving.start();
        Connection connection = fixture.client(TransportFixture.config())
                .connect(new InetSocketAddress(TransportFixture.HOST, oldServer.getLocalPort())).get(5, TimeUnit.SECONDS);

        ProduceRequest request = ProduceRequest.of((short) 1, 5_000, List.of(new ProducePartition("t", 0, 4)));
        SluiceException e = TransportFixture.failure(connection.request(ApiKey.PRODUCE, request,
                Unpooled.wrappedBuffer(new byte[4]), 5_000));

        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("server speaks protocol version 1", "this client speaks version "
                + FrameLayout.VERSION, "upgrade the server", "this process speaks version 1");
    }

    /** What a version-1 server did with a frame of another version: refuse it, then close. */
    private void serveAsVersionOne() {
        try (Socket socket = oldServer.accept()) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            ByteBuf request = Unpooled.wrappedBuffer(frame);
            byte version = request.getByte(FrameLayout.VERSION_OFFSET - 4);
            ErrorResponse refusal = new ErrorResponse();
            refusal.code = ErrorCode.UNSUPPORTED_VERSION.id();
            refusal.message = "protocol version " + version + " is not supported (this process speaks version 1)";
            ByteBuf body = Unpooled.buffer();
            int bodyBytes = MessageCodec.encode(refusal, body);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(FrameLayout.HEADER_SIZE - 4 + bodyBytes);
            out.writeShort(FrameLayout.MAGIC);
            out.writeByte(1);
            out.writeByte(FrameLayout.FLAG_RESPONSE | FrameLayout.FLAG_ERROR);
            out.writeShort(request.getShort(FrameLayout.API_KEY_OFFSET - 4));
            out.writeLong(request.getLong(FrameLayout.REQUEST_ID_OFFSET - 4));
            out.writeInt(bodyBytes);
            byte[] bytes = new byte[bodyBytes];
            body.readBytes(bytes);
            out.write(bytes);
            out.flush();
            socket.shutdownOutput();
            while (in.read() >= 0) { // until the client is gone
                continue;
            }
        } catch (IOException e) {
            // the test is over
        }
    }
}
