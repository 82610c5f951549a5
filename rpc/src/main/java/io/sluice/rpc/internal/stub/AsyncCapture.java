package io.sluice.rpc.internal.stub;

import java.util.concurrent.CompletableFuture;

/**
 * Turns the next stub call made on this thread into an asynchronous one: {@code RpcClient.async(() ->
 * users.getUser(42))} opens a capture, the stub sees it, starts the call, hands its future to the capture and
 * returns a placeholder instead of waiting. One capture per thread at a time; not thread-safe by design
 * (thread-confined).
 */
public final class AsyncCapture {
    private static final ThreadLocal<AsyncCapture> CURRENT = new ThreadLocal<>();

    private CompletableFuture<Object> future;

    private AsyncCapture() {
    }

    public static AsyncCapture open() {
        AsyncCapture capture = new AsyncCapture();
        CURRENT.set(capture);
        return capture;
    }

    /** The open capture of this thread that has not taken a call yet, or null. */
    static AsyncCapture pending() {
        AsyncCapture capture = CURRENT.get();
        return capture == null || capture.future != null ? null : capture;
    }

    void take(CompletableFuture<Object> call) {
        this.future = call;
    }

    public void close() {
        CURRENT.remove();
    }

    /** The captured call's future, or null if no stub call was made. */
    public CompletableFuture<Object> future() {
        return future;
    }
}
