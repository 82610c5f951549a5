package io.sluice.rpc.internal.invoke;

import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.serialize.ValuesSchema;

import java.util.List;
import java.util.Map;

/**
 * What the client needs to call one remote method, computed once per stub method (or per generic signature):
 * the wire name and parameter type names, the schemas of the arguments and the result, the call options of the
 * method, and how the result is delivered (a plain value, or a {@code CompletableFuture} for async methods).
 *
 * <p>Immutable and thread-safe.
 */
public final class MethodDescriptor {
    private final String name;
    private final List<String> parameterTypes;
    private final ValuesSchema argsSchema;
    private final ValuesSchema resultSchema;
    private final CallOptions options;
    private final boolean async;
    private final boolean voidResult;
    private final Map<String, String> attachments;
    private final Object defaultResult;

    public MethodDescriptor(String name, List<String> parameterTypes, ValuesSchema argsSchema,
                            ValuesSchema resultSchema, CallOptions options, boolean async, boolean voidResult,
                            Map<String, String> attachments) {
        this.name = name;
        this.parameterTypes = List.copyOf(parameterTypes);
        this.argsSchema = argsSchema;
        this.resultSchema = resultSchema;
        this.options = options;
        this.async = async;
        this.voidResult = voidResult;
        this.attachments = attachments == null ? Map.of() : Map.copyOf(attachments);
        this.defaultResult = resultSchema.newValues()[0];
    }

    public String name() {
        return name;
    }

    /** Binary names of the declared parameter types, as the provider matches them. */
    public List<String> parameterTypes() {
        return parameterTypes;
    }

    public ValuesSchema argsSchema() {
        return argsSchema;
    }

    public ValuesSchema resultSchema() {
        return resultSchema;
    }

    public CallOptions options() {
        return options;
    }

    /** The method returns a {@code CompletableFuture}. */
    public boolean async() {
        return async;
    }

    public boolean voidResult() {
        return voidResult;
    }

    public boolean oneway() {
        return options.get(CallOptions.ONEWAY);
    }

    /** Sent with every call of this method (e.g. the generic-call marker). */
    public Map<String, String> attachments() {
        return attachments;
    }

    /** What a failsafe call returns instead of a failure: zero for primitives, else null. */
    public Object defaultResult() {
        return defaultResult;
    }

    @Override
    public String toString() {
        return name + parameterTypes;
    }
}
