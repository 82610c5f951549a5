package io.sluice.rpc.internal.provider;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.RateLimitedLog;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One accepted call, run on a business pool thread: decodes the arguments (then releases the payload), skips the
 * call if the caller's deadline passed while it queued, converts generic arguments, runs the method and answers
 * with the serialized result, or with the error: REMOTE_EXCEPTION carrying the thrown type and message, or the
 * code of a SluiceException the method threw. Async methods answer when their future completes. Every call is
 * answered (unless oneway) and counted done exactly once, whatever is thrown on the way, an Error included: an
 * OutOfMemoryError is answered PROVIDER_OUT_OF_MEMORY, anything else unexpected UNKNOWN.
 *
 * <p>Not thread-safe; owned by one pool thread (or by its future's completer for async methods).
 */
final class ProviderCall implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderCall.class);
    private static final RateLimitedLog UNEXPECTED = RateLimitedLog.of(LOG, 1, 10_000);
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
    private final AtomicBoolean ended = new AtomicBoolean();
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
        try {
            listener.serverCallStart(service.serviceKey(), method.name());
            serve();
        } catch (Throwable t) {
            failUnexpected(t);
        } finally {
            releasePayload();
        }
    }

    private void serve() {
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(startNs - acceptedNs);
        if (request.timeoutMs > 0 && waitedMs > request.timeoutMs) {
            fail(ErrorCode.REQUEST_TIMED_OUT, "the caller's deadline of " + request.timeoutMs + " ms passed while "
                    + "the call waited " + waitedMs + " ms for a business thread; not run");
            return;
        }
        Object[] args;
        try {
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
                try {
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException
                                && error.getCause() != null ? error.getCause() : error;
                        failWith(cause);
                    } else {
                        answer(value);
                    }
                } catch (Throwable t) {
                    failUnexpected(t);
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
        } catch (OutOfMemoryError e) {
            failUnexpected(e);
        } catch (RuntimeException e) {
            fail(ErrorCode.SERIALIZATION_ERROR, "cannot send the result of " + method.signature() + ": " + e);
        }
    }

    private void failWith(Throwable thrown) {
        if (thrown instanceof SluiceException se) {
            fail(se.code(), se.getMessage());
            return;
        }
        if (thrown instanceof OutOfMemoryError) {
            failUnexpected(thrown);
            return;
        }
        LOG.debug("{}#{} threw", service.serviceKey(), method.signature(), thrown);
        fail(ErrorCode.REMOTE_EXCEPTION, RpcRemoteException.toWire(thrown));
    }

    /**
     * The last resort: whatever escaped (an OutOfMemoryError, an Error from a library, a bug here) still answers
     * the call, if nothing answered it yet, and still counts it done. Logs one line, rate limited.
     */
    private void failUnexpected(Throwable t) {
        if (ended.get()) {
            UNEXPECTED.warn("failed-after-answer", "{}#{} failed after it was answered: {}", service.serviceKey(),
                    method.signature(), t.toString());
            return;
        }
        boolean oom = t instanceof OutOfMemoryError;
        ErrorCode code = oom ? ErrorCode.PROVIDER_OUT_OF_MEMORY : ErrorCode.UNKNOWN;
        try {
            UNEXPECTED.warn("failed", "{}#{} failed: {}", service.serviceKey(), method.signature(), t.toString());
            fail(code, (oom ? "the provider ran out of memory serving " : "the provider failed serving ")
                    + service.serviceKey() + "#" + method.signature() + ": " + t);
        } catch (Throwable again) { // e.g. out of memory again while building the message
            try {
                if (!ctx.oneway()) {
                    ctx.fail(code, code.defaultMessage());
                }
            } finally {
                done(code);
            }
        }
    }

    private void fail(ErrorCode code, String message) {
        if (ctx.oneway()) {
            LOG.debug("oneway call {}#{} failed: {} {}", service.serviceKey(), method.signature(), code, message);
        } else {
            ctx.fail(code, message);
        }
        done(code);
    }

    /** Counts the call done, once (a second call, e.g. from the last-resort path, does nothing). */
    private void done(ErrorCode code) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
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
