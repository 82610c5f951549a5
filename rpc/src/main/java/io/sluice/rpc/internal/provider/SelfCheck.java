package io.sluice.rpc.internal.provider;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import io.sluice.rpc.internal.serialize.AllowList;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import io.sluice.rpc.internal.serialize.ValuesSchema;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A provider's check of itself before it registers: one real call of the built-in {@link HealthCheck} through
 * its own port (connect, frame, dispatch, business pool, serialization, answer). Stateless.
 */
public final class SelfCheck {
    private static final long TIMEOUT_MS = 5_000;

    private SelfCheck() {
    }

    /** Throws UNAVAILABLE-style errors (the cause's code) if the provider at {@code address} cannot serve. */
    public static void run(InetSocketAddress address, int maxPayloadBytes) {
        RpcSerializer serializer = new RpcSerializer(AllowList.defaults(), maxPayloadBytes);
        ValuesSchema args = serializer.schemaFor(String.class);
        ValuesSchema result = serializer.schemaFor(String.class);
        String token = UUID.randomUUID().toString();
        try (RemotingClient client = new RemotingClient("rpc-self-check", new TransportConfig().ioThreads(1), null)) {
            Connection connection = client.connect(address).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            RpcRequest request = new RpcRequest();
            request.service = HealthCheck.class.getName();
            request.version = "";
            request.group = "";
            request.method = "ping";
            request.parameterTypes = List.of(String.class.getName());
            request.timeoutMs = (int) TIMEOUT_MS;
            ByteBuf payload = serializer.encode(PooledByteBufAllocator.DEFAULT, args, new Object[] {token});
            try (Response response = connection.request(ApiKey.RPC_INVOKE, request, payload, TIMEOUT_MS)
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                Object answer = serializer.decode(response.payload(), result)[0];
                if (!(HealthCheck.PONG + ":" + token).equals(answer)) {
                    throw new SluiceException(ErrorCode.UNKNOWN, "self-check of the provider on " + address
                            + " got a wrong answer: " + answer);
                }
            } finally {
                connection.close();
            }
        } catch (ExecutionException e) {
            throw new SluiceException(SluiceException.from(e.getCause()).code(), "self-check of the provider on "
                    + address + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "self-check of the provider on " + address
                    + " got no answer within " + TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.UNKNOWN, "interrupted during the self-check", e);
        }
    }
}
