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
 * Serves RPC_INVOKE requests, on the connection's I/O thread: refuses at once what cannot run (a request whose
 * fields are missing or malformed: INVALID_REQUEST naming the field, see {@link RequestCheck}; shutting down;
 * unknown service or method; payload over the limit; business pool full: each with its error code and a message
 * naming what was asked and what exists), and hands the rest to the bounded business pool as a
 * {@link ProviderCall}, retaining the payload for it. Oneway calls go through {@link OnewayLanes} when given, so
 * that those of one connection run in arrival order. Never blocks. Stateless and thread-safe.
 */
public final class RpcRequestHandler implements RequestHandler {
    /** The service label of refused calls whose service is not exported (bounds the metrics' tag values). */
    static final String UNKNOWN_SERVICE = "unknown";

    private final ServiceTable services;
    private final Executor businessPool;
    private final OnewayLanes onewayLanes;
    private final ProviderLifecycle lifecycle;
    private final RpcSerializer serializer;
    private final RpcEventListener listener;
    private final LongSupplier nanoClock;
    private final String providerName;

    /** {@code onewayLanes}: null to run oneway calls on the pool like the others, in any order. */
    public RpcRequestHandler(ServiceTable services, Executor businessPool, OnewayLanes onewayLanes,
                             ProviderLifecycle lifecycle, RpcSerializer serializer, RpcEventListener listener,
                             LongSupplier nanoClock, String providerName) {
        this.services = services;
        this.businessPool = businessPool;
        this.onewayLanes = onewayLanes;
        this.lifecycle = lifecycle;
        this.serializer = serializer;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.providerName = providerName;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        if (!(message instanceof RpcRequest request)) {
            reject(ctx, UNKNOWN_SERVICE, ErrorCode.INVALID_REQUEST, "an RPC_INVOKE frame must carry an RpcRequest, "
                    + "got " + (message == null ? "no body" : message.getClass().getSimpleName()));
            return;
        }
        String problem = RequestCheck.problem(request);
        if (problem != null) {
            reject(ctx, UNKNOWN_SERVICE, ErrorCode.INVALID_REQUEST, "RPC request " + problem);
            return;
        }
        if (!lifecycle.accepting()) {
            reject(ctx, label(request), ErrorCode.PROVIDER_SHUTTING_DOWN, "provider " + providerName
                    + " is shutting down; call another provider");
            return;
        }
        ExportedService service = services.find(request.service, request.version, request.group);
        if (service == null) {
            List<String> others = services.keysOf(request.service);
            reject(ctx, label(request), ErrorCode.SERVICE_NOT_FOUND, "provider " + providerName + " does not export "
                    + request.service + " version '" + nullToEmpty(request.version) + "' group '"
                    + nullToEmpty(request.group) + "'" + (others.isEmpty() ? "" : "; it exports " + others));
            return;
        }
        ExportedMethod method = service.find(request.method, request.parameterTypes);
        if (method == null) {
            reject(ctx, request.service, ErrorCode.METHOD_NOT_FOUND, service.serviceKey() + " has no method "
                    + request.method + "(" + (request.parameterTypes == null ? "" : String.join(", ",
                    request.parameterTypes)) + "); its methods are " + service.signatures());
            return;
        }
        if (payload.readableBytes() > serializer.maxPayloadBytes()) {
            reject(ctx, request.service, ErrorCode.INVALID_REQUEST,
                    serializer.payloadTooLarge(payload.readableBytes()).getMessage());
            return;
        }
        accept(ctx, request, service, method, payload);
    }

    private void accept(RequestContext ctx, RpcRequest request, ExportedService service, ExportedMethod method,
                        ByteBuf payload) {
        lifecycle.callAccepted();
        if (!lifecycle.accepting()) { // shutdown began since the first check: it may not be waiting for this call
            lifecycle.callDone();
            reject(ctx, request.service, ErrorCode.PROVIDER_SHUTTING_DOWN, "provider " + providerName
                    + " is shutting down; call another provider");
            return;
        }
        ByteBuf retained = payload.retain();
        ProviderCall call = null;
        boolean queued = false;
        try {
            call = new ProviderCall(ctx, request, service, method, retained, nanoClock.getAsLong(), serializer,
                    lifecycle, listener, nanoClock);
            queued = ctx.oneway() && onewayLanes != null ? onewayLanes.submit(ctx.remoteAddress(), call)
                    : execute(call);
        } finally {
            if (!queued) { // refused, or something threw (the dispatcher answers that): nothing will run
                if (call != null) {
                    call.discard();
                } else {
                    retained.release();
                }
                lifecycle.callDone();
            }
        }
        if (!queued && lifecycle.accepting()) {
            reject(ctx, request.service, ErrorCode.PROVIDER_BUSY, "provider " + providerName + " is busy: its "
                    + "business pool and queue are full (sluice.rpc.server.business.threads / .queue); try another "
                    + "provider");
        } else if (!queued) {
            reject(ctx, request.service, ErrorCode.PROVIDER_SHUTTING_DOWN, "provider " + providerName
                    + " is shutting down; call another provider");
        }
    }

    private boolean execute(ProviderCall call) {
        try {
            businessPool.execute(call);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** The service name for metrics: the requested one if this provider exports it, else {@link #UNKNOWN_SERVICE}. */
    private String label(RpcRequest request) {
        return services.keysOf(request.service).isEmpty() ? UNKNOWN_SERVICE : request.service;
    }

    private void reject(RequestContext ctx, String service, ErrorCode code, String message) {
        listener.serverCallRejected(service, code);
        ctx.fail(code, message);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
