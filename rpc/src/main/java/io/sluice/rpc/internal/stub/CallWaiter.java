package io.sluice.rpc.internal.stub;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** How stubs deliver a call's outcome: waiting for it, or as a future completed off the I/O threads. Stateless. */
final class CallWaiter {
    /** Extra wait beyond the call's own deadline; the timeout filter normally ends the call first. */
    private static final long SAFETY_MARGIN_MS = 1_000;

    private CallWaiter() {
    }

    /** Waits for the value; throws the call's failure (a SluiceException). */
    static Object await(CompletableFuture<RpcResult> call, long timeoutMs) {
        try {
            return call.get(timeoutMs + SAFETY_MARGIN_MS, TimeUnit.MILLISECONDS).value();
        } catch (ExecutionException e) {
            throw Failures.toSluice(e);
        } catch (TimeoutException e) {
            throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "no answer within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.UNKNOWN, "interrupted while waiting for an RPC answer", e);
        }
    }

    /** The value as a future completed on {@code executor}, so user callbacks never run on I/O threads. */
    static CompletableFuture<Object> toUser(CompletableFuture<RpcResult> call, Executor executor) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        call.whenCompleteAsync((response, error) -> {
            if (error != null) {
                out.completeExceptionally(Failures.toSluice(error));
            } else {
                out.complete(response.value());
            }
        }, executor);
        return out;
    }
}
