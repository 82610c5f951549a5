package io.sluice.rpc.internal.provider;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.serialize.RpcSerializer;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * Serves RPC_INVOKE requests, on the connection's I/O thread: refuses at once what cannot run (shutting down,
 * unknown service or method, payload over the limit, business pool full: each with its error code and a message
 * naming what was asked and what exists), and hands the rest to the bounded business pool as a
 * {@link ProviderCall}, retaining the payload for it. Never blocks. Stateless and thread-safe.
 */
public final class RpcRequestHandler implements RequestHandler {
    private final ServiceTable services;
    private final Executor businessPool;
    private final ProviderLifecycle lifecycle;
    private final RpcSerializer serializer;
    private final RpcEventListener listener;
    private final LongSupplier nanoClock;
    private final String providerName;

    public RpcRequestHandler(ServiceTable services, Executor businessPool, ProviderLifecycle lifecycle,
                             RpcSerializer serializer, RpcEventListener listener, LongSupplier nanoClock,
                             String providerName) {
        this.services = services;
        this.businessPool = businessPool;
        this.lifecycle = lifecycle;
        this.serializer = serializer;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.providerName = providerName;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        RpcRequest request = (RpcRequest) message;
        if (!lifecycle.accepting()) {
            reject(ctx, request, ErrorCode.PROVIDER_SHUTTING_DOWN, "provider " + providerName
                    + " is shutting down; call another provider");
            return;
        }
        ExportedService service = services.find(request.service, request.version, request.group);
        if (service == null) {
            List<String> others = services.keysOf(request.service);
            reject(ctx, request, ErrorCode.SERVICE_NOT_FOUND, "provider " + providerName + " does not export "
                    + request.service + " version '" + nullToEmpty(request.version) + "' group '"
                    + nullToEmpty(request.group) + "'" + (others.isEmpty() ? "" : "; it exports " + others));
            return;
        }
        ExportedMethod method = service.find(request.method, request.parameterTypes);
        if (method == null) {
            reject(ctx, request, ErrorCode.METHOD_NOT_FOUND, service.serviceKey() + " has no method "
                    + request.method + "(" + (request.parameterTypes == null ? "" : String.join(", ",
                    request.parameterTypes)) + "); its methods are " + service.signatures());
            return;
        }
        if (payload.readableBytes() > serializer.maxPayloadBytes()) {
            reject(ctx, request, ErrorCode.INVALID_REQUEST, serializer.payloadTooLarge(payload.readableBytes())
                    .getMessage());
            return;
        }
        lifecycle.callAccepted();
        if (!lifecycle.accepting()) { // shutdown began since the first check: it may not be waiting for this call
            lifecycle.callDone();
            reject(ctx, request, ErrorCode.PROVIDER_SHUTTING_DOWN, "provider " + providerName
                    + " is shutting down; call another provider");
            return;
        }
        ProviderCall call = new ProviderCall(ctx, request, service, method, payload.retain(), nanoClock.getAsLong(),
                serializer, lifecycle, listener, nanoClock);
        try {
            businessPool.execute(call);
        } catch (RejectedExecutionException e) {
            call.discard();
            lifecycle.callDone();
            reject(ctx, request, lifecycle.accepting() ? ErrorCode.PROVIDER_BUSY : ErrorCode.PROVIDER_SHUTTING_DOWN,
                    lifecycle.accepting() ? "provider " + providerName + " is busy: its business pool and queue are "
                            + "full (sluice.rpc.server.business.threads / .queue); try another provider"
                            : "provider " + providerName + " is shutting down; call another provider");
        }
    }

    private void reject(RequestContext ctx, RpcRequest request, ErrorCode code, String message) {
        listener.serverCallRejected(request.service, code);
        ctx.fail(code, message);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
