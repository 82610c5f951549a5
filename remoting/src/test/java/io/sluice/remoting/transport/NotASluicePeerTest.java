package io.sluice.remoting.transport;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.RpcRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.remoting.transport.TransportFixture.bytes;
import static io.sluice.remoting.transport.TransportFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client pointed at a port where another protocol answers (an HTTP server) learns that it is not a Sluice peer and
 * what it sent, rather than reading "HTTP" as a frame length and reporting a frame too large.
 */
class NotASluicePeerTest {
    private final TransportFixture fixture = new TransportFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void anHttpAnswerFailsTheRequestNamingTheAddressAndTheBytes() throws Exception {
        try (ScriptedPeer http = new ScriptedPeer()) {
            Connection connection = fixture.client(TransportFixture.config()).connect(http.address())
                    .get(5, TimeUnit.SECONDS);
            http.accept();
            CompletableFuture<?> answer = connection.request(ApiKey.RPC_INVOKE, new RpcRequest(), bytes("x"), 5_000);
            http.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            SluiceException e = failure(answer);
            assertThat(e.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
            assertThat(e.getMessage()).contains(http.address().toString()).contains("not a Sluice peer")
                    .contains("'HTTP/1.1 400 Bad'").doesNotContain("FRAME_TOO_LARGE");
        }
    }
}
