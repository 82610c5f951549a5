package io.sluice.rpc.internal.cluster;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.CallOptions;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Failover ("failover"): on a failure, try another provider, conservatively. A retry happens only if all hold:
 * <ol>
 *   <li>attempts are left (1 + RETRIES in all);</li>
 *   <li>the error is retriable ({@link ErrorCode#retriable()}) and not NO_PROVIDER (there is nowhere else to go);</li>
 *   <li>the request never reached a provider, or the provider refused it without running it (busy, shutting
 *       down, in-flight limit, open circuit), or the method may run twice: marked IDEMPOTENT, or RETRIES set
 *       explicitly for it (the caller's statement that a retry is wanted);</li>
 *   <li>the deadline has not passed;</li>
 *   <li>the client's {@link RetryBudget} has a retry to spend.</li>
 * </ol>
 * Each retry goes to a provider the call has not tried yet when there is one. Every decision is reported through
 * {@link RpcEventListener#retryDecision}; the final failure carries the earlier ones as suppressed exceptions.
 * Stateless and thread-safe.
 */
public final class FailoverCluster implements Filter {
    private final RetryBudget budget;
    private final RpcEventListener listener;
    private final LongSupplier nanoClock;

    public FailoverCluster(RetryBudget budget, RpcEventListener listener, LongSupplier nanoClock) {
        this.budget = budget;
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        budget.deposit();
        CompletableFuture<RpcResult> result = new CompletableFuture<>();
        new Attempts(invocation, next, result).run(invocation);
        return result;
    }

    /** Whether {@code code}, after the request was sent, may mean the method ran. */
    static boolean mayHaveRun(ErrorCode code) {
        return switch (code) {
            case PROVIDER_BUSY, PROVIDER_SHUTTING_DOWN, TOO_MANY_IN_FLIGHT, CIRCUIT_OPEN, NO_PROVIDER -> false;
            default -> true;
        };
    }

    /** Why not to retry after {@code attempt} failed with {@code error}, or null to retry. */
    String refusal(Invocation attempt, SluiceException error, int attemptsMade) {
        int maxAttempts = 1 + attempt.options().get(CallOptions.RETRIES);
        ErrorCode code = error.code();
        if (attemptsMade >= maxAttempts) {
            return "no attempts left (" + maxAttempts + " in all)";
        }
        if (!code.retriable()) {
            return code + " is not retriable";
        }
        if (code == ErrorCode.NO_PROVIDER) {
            return "no provider to retry on";
        }
        if (attempt.sent() && mayHaveRun(code) && !attempt.options().get(CallOptions.IDEMPOTENT)
                && !attempt.options().isSet(CallOptions.RETRIES)) {
            return "the request may have run on the provider; mark the method idempotent or set retries to allow it";
        }
        if (attempt.call().remainingNs(nanoClock.getAsLong()) <= 0) {
            return "the deadline passed";
        }
        if (!budget.tryWithdraw()) {
            return "the client's retry budget is spent";
        }
        return null;
    }

    /** The attempts of one call. */
    private final class Attempts {
        private final Invocation first;
        private final Invoker next;
        private final CompletableFuture<RpcResult> result;
        private List<SluiceException> failures;
        private int made;

        Attempts(Invocation first, Invoker next, CompletableFuture<RpcResult> result) {
            this.first = first;
            this.next = next;
            this.result = result;
        }

        void run(Invocation attempt) {
            made++;
            next.invoke(attempt).whenComplete((response, error) -> {
                if (error == null) {
                    result.complete(response);
                } else {
                    onFailure(attempt, Failures.toSluice(error));
                }
            });
        }

        private void onFailure(Invocation attempt, SluiceException error) {
            if (result.isDone()) {
                return; // the deadline ended the call
            }
            String refusal = refusal(attempt, error, made);
            listener.retryDecision(first.service().serviceKey(), first.method().name(), attempt.attempt(),
                    error.code(), refusal == null, refusal == null ? "retrying on another provider" : refusal);
            if (refusal != null) {
                if (failures != null) {
                    for (SluiceException earlier : failures) {
                        if (earlier != error) {
                            error.addSuppressed(earlier);
                        }
                    }
                }
                result.completeExceptionally(error);
                return;
            }
            if (failures == null) {
                failures = new ArrayList<>(2);
            }
            failures.add(error);
            run(attempt.nextAttempt());
        }
    }
}
