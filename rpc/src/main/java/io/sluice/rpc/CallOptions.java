package io.sluice.rpc;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The options of an RPC call: immutable and typed. Each option is a {@link Key} with a name and a default;
 * {@link #with} returns a copy with one option set. A stub holds one CallOptions for the service and one per
 * method that has overrides; each call carries the options of its method.
 *
 * <pre>{@code
 * CallOptions o = CallOptions.DEFAULT.with(CallOptions.TIMEOUT, Duration.ofMillis(500)).with(CallOptions.RETRIES, 2);
 * }</pre>
 * Thread-safe (immutable).
 */
public final class CallOptions {
    /** Deadline of the whole call, retries included. */
    public static final Key<Duration> TIMEOUT = Key.of("timeout", Duration.ofSeconds(3));
    /** Extra attempts after the first (failover). Setting it explicitly also allows retrying after a send. */
    public static final Key<Integer> RETRIES = Key.of("retries", 2);
    /** random, round-robin, least-active, consistent-hash, latency-aware. */
    public static final Key<String> LOAD_BALANCER = Key.of("loadbalancer", "random");
    /** failover, failfast, failsafe, forking, broadcast. */
    public static final Key<String> CLUSTER = Key.of("cluster", "failover");
    /** The method may run twice without harm: failover may retry it even after it was sent. */
    public static final Key<Boolean> IDEMPOTENT = Key.of("idempotent", false);
    /**
     * Fire and forget: no answer is awaited (void methods only). Ordered per connection: see
     * {@link StubOptions#oneway()}.
     */
    public static final Key<Boolean> ONEWAY = Key.of("oneway", false);
    /** Parallel attempts of the forking cluster. */
    public static final Key<Integer> FORKS = Key.of("forks", 2);
    /** Index of the argument the consistent-hash balancer keys on. */
    public static final Key<Integer> HASH_ARGUMENT = Key.of("hash.argument", 0);

    public static final CallOptions DEFAULT = new CallOptions(new Key<?>[0], new Object[0], new boolean[0]);

    private final Key<?>[] keys;
    private final Object[] values;
    private final boolean[] explicit;

    private CallOptions(Key<?>[] keys, Object[] values, boolean[] explicit) {
        this.keys = keys;
        this.values = values;
        this.explicit = explicit;
    }

    /** The value of {@code key}, or its default when unset. */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                return (T) values[i];
            }
        }
        return key.defaultValue;
    }

    /** True if {@code key} was set explicitly by the caller (even to its default), not just defaulted. */
    public boolean isSet(Key<?> key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                return explicit[i];
            }
        }
        return false;
    }

    /** A copy with {@code key} set to {@code value} explicitly. */
    public <T> CallOptions with(Key<T> key, T value) {
        return put(key, value, true);
    }

    /** A copy with {@code key} defaulting to {@code value} (a configured default: {@link #isSet} stays false). */
    public <T> CallOptions withDefault(Key<T> key, T value) {
        return put(key, value, false);
    }

    private CallOptions put(Key<?> key, Object value, boolean isExplicit) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                Object[] copy = values.clone();
                boolean[] flags = explicit.clone();
                copy[i] = value;
                flags[i] = isExplicit;
                return new CallOptions(keys, copy, flags);
            }
        }
        Key<?>[] k = Arrays.copyOf(keys, keys.length + 1);
        Object[] v = Arrays.copyOf(values, values.length + 1);
        boolean[] e = Arrays.copyOf(explicit, explicit.length + 1);
        k[keys.length] = key;
        v[values.length] = value;
        e[explicit.length] = isExplicit;
        return new CallOptions(k, v, e);
    }

    /** A copy with every option of {@code overrides} applied over this one (keeping whether it was explicit). */
    public CallOptions merge(CallOptions overrides) {
        CallOptions result = this;
        for (int i = 0; i < overrides.keys.length; i++) {
            result = result.put(overrides.keys[i], overrides.values[i], overrides.explicit[i]);
        }
        return result;
    }

    public Duration timeout() {
        return get(TIMEOUT);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CallOptions{");
        for (int i = 0; i < keys.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(keys[i].name).append('=').append(values[i]);
        }
        return sb.append('}').toString();
    }

    /**
     * A typed option. Keys are compared by identity: declare each once as a constant.
     */
    public static final class Key<T> {
        private final String name;
        private final T defaultValue;

        private Key(String name, T defaultValue) {
            this.name = Objects.requireNonNull(name, "name");
            this.defaultValue = defaultValue;
        }

        public static <T> Key<T> of(String name, T defaultValue) {
            return new Key<>(name, defaultValue);
        }

        public String name() {
            return name;
        }

        public T defaultValue() {
            return defaultValue;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
