package io.sluice.rpc.internal.invoke;

import io.sluice.remoting.SluiceException;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordered list of {@link Filter}s ending in an {@link Invoker}; itself an invoker. The first filter is called
 * first. The chain checks the filter contract and names the culprit when it is broken: a filter that calls
 * {@code next} twice for the same attempt (or with an older attempt) or with null, and a filter or terminal that
 * returns null, fail the call with an {@link IllegalStateException}. A filter that throws fails the call with what
 * it threw.
 *
 * <p>Immutable and thread-safe. Each step allocates one small {@code Next} per call.
 */
public final class FilterChain implements Invoker {
    private final Filter[] filters;
    private final Invoker terminal;

    public FilterChain(List<Filter> filters, Invoker terminal) {
        this.filters = filters.toArray(new Filter[0]);
        this.terminal = terminal;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation) {
        return proceed(0, invocation);
    }

    CompletableFuture<RpcResult> proceed(int index, Invocation invocation) {
        Object culprit = index < filters.length ? filters[index] : terminal;
        CompletableFuture<RpcResult> result;
        try {
            result = index < filters.length
                    ? filters[index].invoke(invocation, new Next(this, index + 1, filters[index]))
                    : terminal.invoke(invocation);
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(new IllegalStateException(name(culprit) + " threw " + e, e));
        }
        if (result == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(name(culprit) + " returned null"));
        }
        return result;
    }

    static String name(Object step) {
        return step.getClass().getSimpleName().isEmpty() ? step.getClass().getName() : step.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Filter f : filters) {
            sb.append(name(f)).append(" -> ");
        }
        return sb.append(name(terminal)).toString();
    }

    /** The rest of the chain as one filter sees it; enforces one call per attempt. */
    private static final class Next implements Invoker {
        private final FilterChain chain;
        private final int index;
        private final Filter caller;
        private final AtomicInteger lastAttempt = new AtomicInteger(-1);

        Next(FilterChain chain, int index, Filter caller) {
            this.chain = chain;
            this.index = index;
            this.caller = caller;
        }

        @Override
        public CompletableFuture<RpcResult> invoke(Invocation invocation) {
            if (invocation == null) {
                return CompletableFuture.failedFuture(new IllegalStateException(name(caller)
                        + " called next with a null invocation"));
            }
            int attempt = invocation.attempt();
            int last = lastAttempt.get();
            while (true) {
                if (attempt <= last) {
                    return CompletableFuture.failedFuture(new IllegalStateException(name(caller)
                            + " called next more than once for attempt " + attempt
                            + " (retrying filters must pass invocation.nextAttempt())"));
                }
                if (lastAttempt.compareAndSet(last, attempt)) {
                    break;
                }
                last = lastAttempt.get();
            }
            return chain.proceed(index, invocation);
        }
    }
}
