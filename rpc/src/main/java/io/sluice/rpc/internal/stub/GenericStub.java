package io.sluice.rpc.internal.stub;

import io.sluice.rpc.CallOptions;
import io.sluice.rpc.GenericService;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.MethodDescriptor;
import io.sluice.rpc.internal.invoke.RpcResult;
import io.sluice.rpc.internal.invoke.ServiceRef;
import io.sluice.rpc.internal.serialize.RpcSerializer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The {@link GenericService} of one service key: arguments travel in polymorphic form with the "generic"
 * attachment, so the provider converts them to its parameter types and answers in generic form. Descriptors are
 * cached per signature (bounded). Thread-safe.
 */
public final class GenericStub implements GenericService {
    private static final int MAX_CACHED_SIGNATURES = 1024;
    private static final Map<String, String> GENERIC = Map.of("generic", "true");

    private final ServiceRef service;
    private final Invoker chain;
    private final RpcSerializer serializer;
    private final CallOptions options;
    private final Map<String, CallOptions> methodOptions;
    private final Executor callbackExecutor;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, MethodDescriptor> descriptors = new ConcurrentHashMap<>();

    public GenericStub(ServiceRef service, Invoker chain, RpcSerializer serializer, CallOptions options,
                       Map<String, CallOptions> methodOptions, Executor callbackExecutor, LongSupplier nanoClock) {
        this.service = service;
        this.chain = chain;
        this.serializer = serializer;
        this.options = options;
        this.methodOptions = Map.copyOf(methodOptions);
        this.callbackExecutor = callbackExecutor;
        this.nanoClock = nanoClock;
    }

    @Override
    public Object invoke(String method, String[] parameterTypes, Object... args) {
        MethodDescriptor descriptor = descriptor(method, parameterTypes, args);
        return CallWaiter.await(call(descriptor, args), descriptor.options().timeout().toMillis());
    }

    @Override
    public CompletableFuture<Object> invokeAsync(String method, String[] parameterTypes, Object... args) {
        return CallWaiter.toUser(call(descriptor(method, parameterTypes, args), args), callbackExecutor);
    }

    private CompletableFuture<RpcResult> call(MethodDescriptor descriptor, Object[] args) {
        Object[] values = args == null ? new Object[0] : args;
        return chain.invoke(new Invocation(service, descriptor, values, descriptor.options(), nanoClock.getAsLong()));
    }

    private MethodDescriptor descriptor(String method, String[] parameterTypes, Object[] args) {
        int arity = args == null ? 0 : args.length;
        String key = method + "/" + arity + (parameterTypes == null ? "" : Arrays.toString(parameterTypes));
        MethodDescriptor d = descriptors.get(key);
        if (d != null) {
            return d;
        }
        if (descriptors.size() >= MAX_CACHED_SIGNATURES) {
            descriptors.clear();
        }
        CallOptions merged = methodOptions.containsKey(method) ? options.merge(methodOptions.get(method)) : options;
        d = new MethodDescriptor(method, parameterTypes == null ? List.of() : List.of(parameterTypes),
                serializer.polymorphicSchema(arity), serializer.polymorphicSchema(1), merged, false, false, GENERIC);
        descriptors.put(key, d);
        return d;
    }
}
