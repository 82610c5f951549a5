package io.sluice.rpc;

import java.util.concurrent.CompletableFuture;

/**
 * Calls a service without its interface on the classpath: by method name, parameter type names and arguments.
 * Arguments are given in generic form (scalars, strings, lists, maps, and POJOs as maps of field name to value);
 * the provider converts them to the method's parameter types and returns the result in generic form (a POJO
 * becomes a map with its fields plus a "class" entry naming its type).
 *
 * <pre>{@code
 * GenericService users = client.generic("io.sluice.rpc.demo.UserService", o -> o.version("1.0"));
 * Map<?, ?> user = (Map<?, ?>) users.invoke("getUser", new String[] {"long"}, 42L);
 * }</pre>
 * {@code parameterTypes} may be null when the method name is not overloaded. Thread-safe.
 */
public interface GenericService {
    /** Calls and waits; failures are thrown as {@code SluiceException}s. */
    Object invoke(String method, String[] parameterTypes, Object... args);

    /** Calls without waiting; the future completes on a client callback thread. */
    CompletableFuture<Object> invokeAsync(String method, String[] parameterTypes, Object... args);
}
