package io.sluice.rpc.internal.provider;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.RpcRemoteException;
import io.sluice.rpc.internal.serialize.GenericConverter;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One accepted call, run on a business pool thread: decodes the arguments (then releases the payload), skips the
 * call if the caller's deadline passed while it queued, converts generic arguments, runs the method and answers
 * with the serialized result, or with the error: REMOTE_EXCEPTION carrying the thrown type and message, or the
 * code of a SluiceException the method threw. Async methods answer when their future completes.
 *
 * <p>Not thread-safe; owned by one pool thread (or by its future's completer for async methods).
 */
final class ProviderCall implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderCall.class);
    /** The attachment that marks a generic call (arguments and result in generic form). */
    static final String GENERIC = "generic";
    private static final io.sluice.remoting.protocol.RpcResponse WITH_VALUE = header(true);
    private static final io.sluice.remoting.protocol.RpcResponse WITHOUT_VALUE = header(false);

    private final RequestContext ctx;
    private final RpcRequest request;
    private final ExportedService service;
    private final ExportedMethod method;
    private ByteBuf payload;
    private final long acceptedNs;
    private final RpcSerializer serializer;
    private final ProviderLifecycle lifecycle;
    private final RpcEventListener listener;
    private final LongSupplier nanoClock;
    private final boolean generic;
    private long startNs;

    ProviderCall(RequestContext ctx, RpcRequest request, ExportedService service, ExportedMethod method,
                 ByteBuf payload, long acceptedNs, RpcSerializer serializer, ProviderLifecycle lifecycle,
                 RpcEventListener listener, LongSupplier nanoClock) {
        this.ctx = ctx;
        this.request = request;
        this.service = service;
        this.method = method;
        this.payload = payload;
        this.acceptedNs = acceptedNs;
        this.serializer = serializer;
        this.lifecycle = lifecycle;
        this.listener = listener;
        this.nanoClock = nanoClock;
        Map<String, String> attachments = request.attachments;
        this.generic = attachments != null && "true".equals(attachments.get(GENERIC));
    }

    /** The call will not run (pool refused it): releases the payload. */
    void discard() {
        releasePayload();
    }

    @Override
    public void run() {
        startNs = nanoClock.getAsLong();
        listener.serverCallStart(service.serviceKey(), method.name());
        Object[] args;
        try {
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(startNs - acceptedNs);
            if (request.timeoutMs > 0 && waitedMs > request.timeoutMs) {
                fail(ErrorCode.REQUEST_TIMED_OUT, "the caller's deadline of " + request.timeoutMs + " ms passed while "
                        + "the call waited " + waitedMs + " ms for a business thread; not run");
                return;
            }
            args = serializer.decode(payload, method.argsSchema());
        } catch (SluiceException e) {
            fail(e.code(), e.getMessage() + " (arguments of " + service.serviceKey() + "#" + method.signature() + ")");
            return;
        } finally {
            releasePayload();
        }
        try {
            prepare(args);
        } catch (SluiceException e) {
            fail(e.code(), e.getMessage());
            return;
        }
        Object result;
        try {
            result = method.method().invoke(service.implementation(), args);
        } catch (InvocationTargetException e) {
            failWith(e.getCause());
            return;
        } catch (IllegalAccessException | IllegalArgumentException e) {
            fail(ErrorCode.INVALID_REQUEST, "cannot call " + method.signature() + ": " + e.getMessage());
            return;
        } catch (RuntimeException | Error e) {
            failWith(e);
            return;
        }
        if (method.async() && result instanceof CompletableFuture<?> future) {
            future.whenComplete((value, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause()
                            != null ? error.getCause() : error;
                    failWith(cause);
                } else {
                    answer(value);
                }
            });
        } else {
            answer(result);
        }
    }

    /** Converts generic arguments, checks typed ones. */
    private void prepare(Object[] args) {
        Class<?>[] types = method.parameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (generic) {
                args[i] = GenericConverter.toDeclared(args[i], method.genericParameterTypes()[i], "argument " + i
                        + " of " + method.signature());
            } else if (!GenericConverter.isAssignable(types[i], args[i])) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "argument " + i + " of " + method.signature()
                        + " must be a " + types[i].getName() + ", got " + (args[i] == null ? "null"
                        : args[i].getClass().getName()));
            }
        }
    }

    private void answer(Object value) {
        try {
            if (ctx.oneway()) {
                done(ErrorCode.NONE);
                return;
            }
            if (value == null || method.voidResult()) {
                ctx.respond(WITHOUT_VALUE);
            } else {
                Object wire = generic ? GenericConverter.toGeneric(value) : value;
                ByteBuf out = serializer.encode(ctx.alloc(), method.resultSchema(generic), new Object[] {wire});
                ctx.respond(WITH_VALUE, out);
            }
            done(ErrorCode.NONE);
        } catch (SluiceException e) {
            fail(e.code(), e.getMessage() + " (result of " + service.serviceKey() + "#" + method.signature() + ")");
        } catch (RuntimeException e) {
            fail(ErrorCode.SERIALIZATION_ERROR, "cannot send the result of " + method.signature() + ": " + e);
        }
    }

    private void failWith(Throwable thrown) {
        if (thrown instanceof SluiceException se) {
            fail(se.code(), se.getMessage());
            return;
        }
        LOG.debug("{}#{} threw", service.serviceKey(), method.signature(), thrown);
        fail(ErrorCode.REMOTE_EXCEPTION, RpcRemoteException.toWire(thrown));
    }

    private void fail(ErrorCode code, String message) {
        if (ctx.oneway()) {
            LOG.debug("oneway call {}#{} failed: {} {}", service.serviceKey(), method.signature(), code, message);
        } else {
            ctx.fail(code, message);
        }
        done(code);
    }

    private void done(ErrorCode code) {
        lifecycle.callDone();
        listener.serverCallEnd(service.serviceKey(), method.name(), code, nanoClock.getAsLong() - startNs);
    }

    private void releasePayload() {
        ByteBuf p = payload;
        payload = null;
        if (p != null && p.refCnt() > 0) {
            p.release();
        }
    }

    private static io.sluice.remoting.protocol.RpcResponse header(boolean hasValue) {
        io.sluice.remoting.protocol.RpcResponse header = new io.sluice.remoting.protocol.RpcResponse();
        header.hasValue = hasValue;
        return header;
    }
}
