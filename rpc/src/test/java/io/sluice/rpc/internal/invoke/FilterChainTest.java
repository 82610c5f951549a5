package io.sluice.rpc.internal.invoke;

import io.sluice.rpc.CallOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chain runs filters in order and enforces the filter contract, naming the culprit. */
class FilterChainTest {
    private final Invoker terminal = inv -> CompletableFuture.completedFuture(new RpcResult("done", null));

    private static Invocation invocation() {
        return new Invocation(null, null, new Object[0], CallOptions.DEFAULT, 0);
    }

    @Test
    void filtersRunInListOrder() {
        List<String> order = new ArrayList<>();
        Filter a = (inv, next) -> {
            order.add("a");
            return next.invoke(inv);
        };
        Filter b = (inv, next) -> {
            order.add("b");
            return next.invoke(inv);
        };
        assertThat(new FilterChain(List.of(a, b), terminal).invoke(invocation()).join().value()).isEqualTo("done");
        assertThat(order).containsExactly("a", "b");
    }

    @Test
    void callingNextTwiceForOneAttemptFailsNamingTheFilter() {
        Filter twice = new TwiceFilter();
        assertThatThrownBy(() -> new FilterChain(List.of(twice), terminal).invoke(invocation()).join())
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TwiceFilter called next more than once");
    }

    @Test
    void retryingWithFreshAttemptsIsAllowed() {
        Filter retrying = (inv, next) -> next.invoke(inv).thenCompose(r -> next.invoke(inv.nextAttempt()));
        assertThat(new FilterChain(List.of(retrying), terminal).invoke(invocation()).join().value())
                .isEqualTo("done");
    }

    @Test
    void nullResultsAndThrowsBecomeFailuresNamingTheCulprit() {
        Filter returnsNull = new NullFilter();
        assertThatThrownBy(() -> new FilterChain(List.of(returnsNull), terminal).invoke(invocation()).join())
                .hasMessageContaining("NullFilter returned null");
        Invoker nullTerminal = new NullTerminal();
        assertThatThrownBy(() -> new FilterChain(List.of(), nullTerminal).invoke(invocation()).join())
                .hasMessageContaining("NullTerminal returned null");
        Filter throwing = (inv, next) -> {
            throw new IllegalArgumentException("bad");
        };
        assertThatThrownBy(() -> new FilterChain(List.of(throwing), terminal).invoke(invocation()).join())
                .hasMessageContaining("threw java.lang.IllegalArgumentException: bad");
        Filter nullInvocation = (inv, next) -> next.invoke(null);
        assertThatThrownBy(() -> new FilterChain(List.of(nullInvocation), terminal).invoke(invocation()).join())
                .hasMessageContaining("called next with a null invocation");
    }

    private static final class TwiceFilter implements Filter {
        @Override
        public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
            next.invoke(invocation);
            return next.invoke(invocation);
        }
    }

    private static final class NullFilter implements Filter {
        @Override
        public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
            return null;
        }
    }

    private static final class NullTerminal implements Invoker {
        @Override
        public CompletableFuture<RpcResult> invoke(Invocation invocation) {
            return null;
        }
    }
}
