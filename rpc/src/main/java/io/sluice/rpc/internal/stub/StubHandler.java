package io.sluice.rpc.internal.stub;

import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.MethodDescriptor;
import io.sluice.rpc.internal.invoke.RpcResult;
import io.sluice.rpc.internal.invoke.ServiceRef;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The behaviour of a typed stub (a {@link java.lang.reflect.Proxy} of the service interface): each interface
 * method call becomes an {@link Invocation} sent down the client's call path. Methods returning a
 * {@code CompletableFuture} get their future (completed on a callback thread); inside {@code RpcClient.async}
 * the call's future is captured; otherwise the caller waits. Object methods and default methods run locally.
 *
 * <p>Thread-safe (immutable): one stub serves any number of threads.
 */
public final class StubHandler implements InvocationHandler {
    private static final Object[] NO_ARGS = new Object[0];

    private final ServiceRef service;
    private final Map<Method, MethodDescriptor> methods;
    private final Invoker chain;
    private final Executor callbackExecutor;
    private final LongSupplier nanoClock;

    public StubHandler(ServiceRef service, Map<Method, MethodDescriptor> methods, Invoker chain,
                       Executor callbackExecutor, LongSupplier nanoClock) {
        this.service = service;
        this.methods = Map.copyOf(methods);
        this.chain = chain;
        this.callbackExecutor = callbackExecutor;
        this.nanoClock = nanoClock;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        MethodDescriptor descriptor = methods.get(method);
        Invocation invocation = new Invocation(service, descriptor, args == null ? NO_ARGS : args,
                descriptor.options(), nanoClock.getAsLong());
        CompletableFuture<RpcResult> call = chain.invoke(invocation);
        if (descriptor.async()) {
            return CallWaiter.toUser(call, callbackExecutor);
        }
        AsyncCapture capture = AsyncCapture.pending();
        if (capture != null) {
            capture.take(CallWaiter.toUser(call, callbackExecutor));
            return descriptor.defaultResult();
        }
        return CallWaiter.await(call, descriptor.options().timeout().toMillis());
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "RpcStub{" + service.serviceKey() + "}";
            default -> throw new UnsupportedOperationException(method.toString());
        };
    }
}
