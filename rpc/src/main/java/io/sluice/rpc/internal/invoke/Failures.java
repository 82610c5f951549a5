package io.sluice.rpc.internal.invoke;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Helpers for the failures that travel through the call path's futures. Stateless.
 */
public final class Failures {
    private Failures() {
    }

    /** The failure behind the wrappers futures add. */
    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** The Sluice error of a failure: itself, or UNKNOWN carrying it (a bug somewhere, e.g. a broken filter). */
    public static SluiceException toSluice(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof SluiceException se) {
            return se;
        }
        return new SluiceException(ErrorCode.UNKNOWN, String.valueOf(cause), cause);
    }

    public static ErrorCode code(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof SluiceException se ? se.code() : ErrorCode.UNKNOWN;
    }

    public static <T> CompletableFuture<T> failed(ErrorCode code, String message) {
        return CompletableFuture.failedFuture(new SluiceException(code, message));
    }
}
