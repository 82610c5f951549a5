package io.sluice.rpc.internal.cluster;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.CallOptions;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.discovery.Directory;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.MethodDescriptor;
import io.sluice.rpc.internal.invoke.RpcResult;
import io.sluice.rpc.internal.invoke.ServiceRef;
import io.sluice.rpc.internal.serialize.AllowList;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The conservative, budgeted retry decisions of failover. */
class FailoverClusterTest {
    private final List<String> decisions = new ArrayList<>();
    private final RpcEventListener listener = new RpcEventListener() {
        @Override
        public void retryDecision(String service, String method, int attempt, ErrorCode cause, boolean retry,
                                  String reason) {
            decisions.add(attempt + ":" + cause + ":" + (retry ? "retry" : "stop"));
        }
    };
    private long now;
    private final RetryBudget roomyBudget = new RetryBudget(100, 100, () -> now);
    private final ServiceRef service = new ServiceRef("svc.Api", "", "", new Directory("svc.Api", null, null, 0,
            RpcEventListener.NONE), () -> 0);
    private final MethodDescriptor method = new MethodDescriptor("m", List.of(),
            new RpcSerializer(AllowList.defaults(), 4096).schemaFor(), new RpcSerializer(AllowList.defaults(), 4096)
            .schemaFor(Object.class), CallOptions.DEFAULT, false, false, null);

    /** An invoker answering with the queued outcomes; marks attempts sent when told to. */
    private static Invoker outcomes(boolean sent, Object... results) {
        Deque<Object> queue = new ConcurrentLinkedDeque<>(List.of(results));
        return inv -> {
            if (sent) {
                inv.markSent();
            }
            Object r = queue.removeFirst();
            return r instanceof ErrorCode code ? CompletableFuture.failedFuture(new SluiceException(code, "x"))
                    : CompletableFuture.completedFuture(new RpcResult(r, null));
        };
    }

    private Invocation call(CallOptions options) {
        Invocation inv = new Invocation(service, method, new Object[0], options, now);
        inv.call().deadlineNs(now + 1_000_000_000L);
        return inv;
    }

    @Test
    void retriesRefusalsThatNeverRan() {
        FailoverCluster failover = new FailoverCluster(roomyBudget, listener, () -> now);
        Invoker next = outcomes(true, ErrorCode.PROVIDER_BUSY, ErrorCode.PROVIDER_SHUTTING_DOWN, "ok");
        assertThat(failover.invoke(call(CallOptions.DEFAULT), next).join().value()).isEqualTo("ok");
        assertThat(decisions).containsExactly("0:PROVIDER_BUSY:retry", "1:PROVIDER_SHUTTING_DOWN:retry");
    }

    @Test
    void doesNotRetryWhatMayHaveRunUnlessIdempotentOrRetriesWereSet() {
        FailoverCluster failover = new FailoverCluster(roomyBudget, listener, () -> now);
        assertThatThrownBy(() -> failover.invoke(call(CallOptions.DEFAULT),
                outcomes(true, ErrorCode.NETWORK_ERROR, "ok")).join())
                .hasCauseInstanceOf(SluiceException.class);
        assertThat(failover.invoke(call(CallOptions.DEFAULT), outcomes(false, ErrorCode.NETWORK_ERROR, "ok"))
                .join().value()).as("never sent: safe to retry").isEqualTo("ok");
        assertThat(failover.invoke(call(CallOptions.DEFAULT.with(CallOptions.IDEMPOTENT, true)),
                outcomes(true, ErrorCode.REQUEST_TIMED_OUT, "ok")).join().value()).isEqualTo("ok");
        assertThat(failover.invoke(call(CallOptions.DEFAULT.with(CallOptions.RETRIES, 1)),
                outcomes(true, ErrorCode.NETWORK_ERROR, "ok")).join().value()).isEqualTo("ok");
        assertThat(decisions).containsExactly("0:NETWORK_ERROR:stop", "0:NETWORK_ERROR:retry",
                "0:REQUEST_TIMED_OUT:retry", "0:NETWORK_ERROR:retry");
    }

    @Test
    void neverRetriesBusinessErrorsAndCapsAttemptsKeepingEarlierFailures() {
        FailoverCluster failover = new FailoverCluster(roomyBudget, listener, () -> now);
        assertThatThrownBy(() -> failover.invoke(call(CallOptions.DEFAULT),
                outcomes(true, ErrorCode.REMOTE_EXCEPTION, "ok")).join())
                .cause().isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REMOTE_EXCEPTION));
        CallOptions twoRetries = CallOptions.DEFAULT.with(CallOptions.RETRIES, 2);
        assertThatThrownBy(() -> failover.invoke(call(twoRetries), outcomes(true, ErrorCode.PROVIDER_BUSY,
                ErrorCode.PROVIDER_BUSY, ErrorCode.PROVIDER_BUSY, "never")).join())
                .cause().satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
        assertThat(decisions).containsExactly("0:REMOTE_EXCEPTION:stop", "0:PROVIDER_BUSY:retry",
                "1:PROVIDER_BUSY:retry", "2:PROVIDER_BUSY:stop");
    }

    @Test
    void stopsWhenTheBudgetOrTheDeadlineIsSpent() {
        RetryBudget tight = new RetryBudget(0, 1, () -> now);
        FailoverCluster failover = new FailoverCluster(tight, listener, () -> now);
        assertThat(failover.invoke(call(CallOptions.DEFAULT), outcomes(true, ErrorCode.PROVIDER_BUSY, "ok"))
                .join().value()).isEqualTo("ok");
        assertThatThrownBy(() -> failover.invoke(call(CallOptions.DEFAULT),
                outcomes(true, ErrorCode.PROVIDER_BUSY, "ok")).join()).as("the one retry per second is spent");
        now += 1_000_000_000L;
        assertThat(failover.invoke(call(CallOptions.DEFAULT), outcomes(true, ErrorCode.PROVIDER_BUSY, "ok"))
                .join().value()).as("refilled a second later").isEqualTo("ok");
        Invocation late = call(CallOptions.DEFAULT);
        late.call().deadlineNs(now - 1);
        assertThatThrownBy(() -> new FailoverCluster(roomyBudget, listener, () -> now)
                .invoke(late, outcomes(true, ErrorCode.PROVIDER_BUSY, "ok")).join());
        assertThat(decisions).endsWith("0:PROVIDER_BUSY:stop");
    }

    @Test
    void theBudgetAllowsAShareOfCalls() {
        RetryBudget budget = new RetryBudget(20, 0, () -> now);
        for (int i = 0; i < 100; i++) {
            budget.deposit();
        }
        int granted = 0;
        while (budget.tryWithdraw()) {
            granted++;
        }
        assertThat(granted).isEqualTo(20);
    }
}
