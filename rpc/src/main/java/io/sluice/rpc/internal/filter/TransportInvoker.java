package io.sluice.rpc.internal.filter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.Response;
import io.sluice.rpc.RpcRemoteException;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.MethodDescriptor;
import io.sluice.rpc.internal.invoke.RpcResult;
import io.sluice.rpc.internal.invoke.ServiceRef;
import io.sluice.rpc.internal.serialize.RpcSerializer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The end of the client chain: serializes the arguments into the frame payload, sends an RPC_INVOKE request on
 * the chosen endpoint's connection with the time left before the call's deadline, and decodes the answer (on the
 * connection's I/O thread). Marks the attempt sent just before handing it to a live connection, so failures
 * before that point (connecting, backing off, serializing) are known not to have reached the provider. A
 * REMOTE_EXCEPTION answer becomes an {@link RpcRemoteException}. Stateless and thread-safe.
 */
public final class TransportInvoker implements Invoker {
    private final RpcSerializer serializer;
    private final ByteBufAllocator alloc;
    private final LongSupplier nanoClock;

    public TransportInvoker(RpcSerializer serializer, ByteBufAllocator alloc, LongSupplier nanoClock) {
        this.serializer = serializer;
        this.alloc = alloc;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation) {
        Endpoint endpoint = invocation.endpoint();
        if (endpoint == null || endpoint.channel() == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no endpoint with a channel chosen for "
                    + invocation + ": a balancing filter must run before the transport"));
        }
        CompletableFuture<Connection> connection = endpoint.channel().connection();
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            return send(invocation, endpoint, connection.join());
        }
        return connection.thenCompose(c -> send(invocation, endpoint, c));
    }

    private CompletableFuture<RpcResult> send(Invocation invocation, Endpoint endpoint, Connection connection) {
        long remainingNs = invocation.call().remainingNs(nanoClock.getAsLong());
        if (remainingNs <= 0) {
            return Failures.failed(ErrorCode.REQUEST_TIMED_OUT, "the deadline of " + invocation
                    + " passed before it could be sent");
        }
        if (!connection.isActive()) {
            return Failures.failed(ErrorCode.NETWORK_ERROR, "connection to " + endpoint.id() + " is closed");
        }
        MethodDescriptor method = invocation.method();
        ServiceRef service = invocation.service();
        RpcRequest request = new RpcRequest();
        request.service = service.interfaceName();
        request.version = service.version();
        request.group = service.group();
        request.method = method.name();
        request.parameterTypes = method.parameterTypes();
        request.timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
        request.attachments = method.attachments().isEmpty() ? null : method.attachments();
        ByteBuf payload;
        try {
            payload = serializer.encode(alloc, method.argsSchema(), invocation.args());
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
        invocation.markSent();
        if (method.oneway()) {
            return connection.send(ApiKey.RPC_INVOKE, request, payload)
                    .thenApply(v -> new RpcResult(null, endpoint));
        }
        return connection.request(ApiKey.RPC_INVOKE, request, payload, request.timeoutMs)
                .handle((response, error) -> {
                    if (error != null) {
                        throw new CompletionException(translate(error, endpoint));
                    }
                    return decode(response, method, endpoint);
                });
    }

    private RpcResult decode(Response response, MethodDescriptor method, Endpoint endpoint) {
        try {
            io.sluice.remoting.protocol.RpcResponse header = response.message();
            Object value = null;
            if (header != null && header.hasValue) {
                value = serializer.decode(response.payload(), method.resultSchema())[0];
            }
            return new RpcResult(value, endpoint);
        } catch (SluiceException e) {
            throw new CompletionException(e);
        } finally {
            response.close();
        }
    }

    private static Throwable translate(Throwable error, Endpoint endpoint) {
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof SluiceException se && se.code() == ErrorCode.REMOTE_EXCEPTION
                && !(cause instanceof RpcRemoteException)) {
            return RpcRemoteException.fromWire(se.getMessage(), endpoint.id());
        }
        return cause;
    }
}
