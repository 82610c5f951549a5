package io.sluice.rpc.testing;

import io.sluice.rpc.demo.User;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The service the RPC tests call. */
public interface TestService {
    String echo(String text);

    /** The name of the provider that answered. */
    String whoami();

    /** The name of the provider that answered a call keyed by {@code key} (for consistent hashing). */
    String whoamiFor(String key);

    /** The provider's name, after its configured lag. */
    String lagged();

    long add(long a, long b);

    void record(String event);

    CompletableFuture<String> echoAsync(String text);

    /** Blocks until the test opens the provider's gate, then answers. */
    String gated(String text);

    /** Throws IllegalStateException with {@code message}. */
    String fail(String message);

    Object any(Object value);

    User roundTrip(User user);

    List<User> users(int count);

    Map<String, Long> counts();

    byte[] bytes(int size);

    /**
     * Fails as {@code how} says: "oom" throws an OutOfMemoryError; "unwritable" returns a {@link Box} holding a
     * list whose elements throw an AssertionError when read (an Error while the answer is written).
     */
    Box misbehave(String how);
}
