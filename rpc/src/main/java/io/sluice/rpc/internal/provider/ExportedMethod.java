package io.sluice.rpc.internal.provider;

import io.sluice.rpc.internal.serialize.RpcSerializer;
import io.sluice.rpc.internal.serialize.ValuesSchema;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One method of an exported service as the provider runs it: the reflective method, its parameter types (as
 * classes, generic types and the binary names callers send), and the schemas of its arguments and result
 * (declared and generic forms). Immutable and thread-safe.
 */
public final class ExportedMethod {
    private final Method method;
    private final List<String> parameterTypeNames;
    private final Class<?>[] parameterTypes;
    private final Type[] genericParameterTypes;
    private final ValuesSchema argsSchema;
    private final ValuesSchema resultSchema;
    private final ValuesSchema genericResultSchema;
    private final boolean async;
    private final boolean voidResult;

    ExportedMethod(Method method, RpcSerializer serializer) {
        this.method = method;
        method.setAccessible(true);
        this.parameterTypes = method.getParameterTypes();
        this.genericParameterTypes = method.getGenericParameterTypes();
        List<String> names = new ArrayList<>(parameterTypes.length);
        for (Class<?> p : parameterTypes) {
            names.add(p.getName());
        }
        this.parameterTypeNames = List.copyOf(names);
        this.async = CompletableFuture.class.isAssignableFrom(method.getReturnType());
        Class<?> resultType = resultType(method);
        this.voidResult = resultType == void.class || resultType == Void.class;
        serializer.registerRecords(method);
        this.argsSchema = serializer.schemaFor(parameterTypes);
        this.resultSchema = serializer.schemaFor(voidResult ? Object.class : resultType);
        this.genericResultSchema = serializer.polymorphicSchema(1);
    }

    /** The type of the value a caller receives: the return type, or T of a {@code CompletableFuture<T>}. */
    public static Class<?> resultType(Method method) {
        Class<?> raw = method.getReturnType();
        if (!CompletableFuture.class.isAssignableFrom(raw)) {
            return raw;
        }
        Type generic = method.getGenericReturnType();
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof ParameterizedType pt
                && pt.getRawType() instanceof Class<?> c) {
            return c;
        }
        return Object.class;
    }

    public Method method() {
        return method;
    }

    public String name() {
        return method.getName();
    }

    public List<String> parameterTypeNames() {
        return parameterTypeNames;
    }

    public Class<?>[] parameterTypes() {
        return parameterTypes;
    }

    public Type[] genericParameterTypes() {
        return genericParameterTypes;
    }

    public ValuesSchema argsSchema() {
        return argsSchema;
    }

    public ValuesSchema resultSchema(boolean generic) {
        return generic ? genericResultSchema : resultSchema;
    }

    public boolean async() {
        return async;
    }

    public boolean voidResult() {
        return voidResult;
    }

    /** {@code name(type, type)} for messages. */
    public String signature() {
        return method.getName() + "(" + String.join(", ", parameterTypeNames) + ")";
    }
}
