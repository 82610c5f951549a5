package io.sluice.rpc.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A raw RPC caller for tests of bad input: one real transport connection to a provider, on which a test sends
 * RpcRequests with any field values and payloads of hand-made bytes (see {@link Payload}), as a hostile or broken
 * client would.
 */
public final class RawRpc implements AutoCloseable {
    private final RemotingClient client;
    private final Connection connection;

    public RawRpc(InetSocketAddress provider) throws Exception {
        client = new RemotingClient("raw-rpc", new TransportConfig().ioThreads(1), null);
        connection = client.connect(provider).get(10, TimeUnit.SECONDS);
    }

    public Connection connection() {
        return connection;
    }

    /** A request for {@code service} 1.0, {@code method}({@code types}) with a 10 s deadline. */
    public static RpcRequest request(String service, String method, String... types) {
        RpcRequest request = new RpcRequest();
        request.service = service;
        request.version = "1.0";
        request.group = "";
        request.method = method;
        request.parameterTypes = types == null ? null : List.of(types);
        request.timeoutMs = 10_000;
        return request;
    }

    /** Sends {@code request} with {@code payload}; the future completes with the answer or its error. */
    public CompletableFuture<Response> call(RpcRequest request, byte[] payload) {
        ByteBuf buf = payload == null ? null : Unpooled.wrappedBuffer(payload);
        return connection.request(ApiKey.RPC_INVOKE, request, buf, 15_000);
    }

    /** Sends {@code request} as a oneway call. */
    public CompletableFuture<Void> send(RpcRequest request, byte[] payload) {
        return connection.send(ApiKey.RPC_INVOKE, request, payload == null ? null : Unpooled.wrappedBuffer(payload));
    }

    @Override
    public void close() {
        connection.close();
        client.close();
    }

    /**
     * Hand-made RPC payloads in protostuff's format: the value of argument 0 in polymorphic form (field 2, a group
     * holding a PolymorphicValue whose field 1, a group, holds the dynamic value: protostuff's type id and data).
     */
    public static final class Payload {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** Starts argument 0 in polymorphic form; the caller writes the dynamic value, then {@link #end()}. */
        public static Payload polymorphicArgument() {
            Payload p = new Payload();
            p.tag(2, 3).tag(1, 3);
            return p;
        }

        public Payload tag(int field, int wireType) {
            return varint((field << 3) | wireType);
        }

        public Payload varint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        /** A varint field. */
        public Payload field(int number, long value) {
            return tag(number, 0).varint(value);
        }

        /** A string field. */
        public Payload field(int number, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            tag(number, 2).varint(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        /** Ends the dynamic value and argument 0. */
        public byte[] end() {
            tag(1, 4).tag(2, 4);
            return out.toByteArray();
        }
    }
}
