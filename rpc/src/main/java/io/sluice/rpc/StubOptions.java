package io.sluice.rpc;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a caller may tune on a stub: the service's version and group, a direct provider address, and call
 * options for all methods or per method.
 *
 * <pre>{@code
 * UserService users = client.stub(UserService.class, o -> o.version("1.0")
 *         .timeout(Duration.ofMillis(500)).loadBalancer("least-active").cluster("failover").retries(2)
 *         .method("createUser", m -> m.retries(0).timeout(Duration.ofSeconds(2)))
 *         .method("audit", m -> m.oneway()));
 * }</pre>
 * Not thread-safe: configure it inside the lambda given to {@link RpcClient#stub}; the stub copies it.
 */
public final class StubOptions {
    private final boolean methodLevel;
    private String version = "";
    private String group = "";
    private String address;
    private CallOptions options = CallOptions.DEFAULT;
    private final Map<String, CallOptions> methods = new LinkedHashMap<>();

    StubOptions(boolean methodLevel) {
        this.methodLevel = methodLevel;
    }

    /** Options for a stub, starting from the client's defaults. */
    static StubOptions forStub(CallOptions defaults) {
        StubOptions o = new StubOptions(false);
        o.options = defaults;
        return o;
    }

    public StubOptions version(String version) {
        stubLevel("version");
        this.version = version == null ? "" : version;
        return this;
    }

    public StubOptions group(String group) {
        stubLevel("group");
        this.group = group == null ? "" : group;
        return this;
    }

    /** Calls go straight to these providers ("rpc://host:port[,host:port...]"), without the registry. */
    public StubOptions address(String url) {
        stubLevel("address");
        this.address = Objects.requireNonNull(url, "url");
        return this;
    }

    public StubOptions timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "timeout must be positive, got " + timeout);
        }
        return with(CallOptions.TIMEOUT, timeout);
    }

    /** Extra attempts after the first; setting it allows failover to retry calls that may have been executed. */
    public StubOptions retries(int retries) {
        if (retries < 0 || retries > 10) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "retries must be 0..10, got " + retries);
        }
        return with(CallOptions.RETRIES, retries);
    }

    public StubOptions loadBalancer(String name) {
        return with(CallOptions.LOAD_BALANCER, name);
    }

    public StubOptions cluster(String name) {
        return with(CallOptions.CLUSTER, name);
    }

    public StubOptions idempotent() {
        return with(CallOptions.IDEMPOTENT, true);
    }

    /**
     * Fire and forget (void methods only): the call returns once its request is written, and no answer or error
     * comes back. A caller's oneway calls to one provider take effect in the order it made them: they travel on
     * the one connection to that provider and the provider runs a connection's oneway calls one after another
     * (unless it sets {@code sluice.rpc.server.oneway.ordered=false}). They are not ordered with the caller's
     * two-way calls, nor across providers or reconnections; a call in flight when a connection breaks is lost.
     */
    public StubOptions oneway() {
        return with(CallOptions.ONEWAY, true);
    }

    public StubOptions forks(int forks) {
        if (forks < 1 || forks > 16) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "forks must be 1..16, got " + forks);
        }
        return with(CallOptions.FORKS, forks);
    }

    public <T> StubOptions with(CallOptions.Key<T> key, T value) {
        options = options.with(key, value);
        return this;
    }

    /** Overrides for every method named {@code name} (all overloads). */
    public StubOptions method(String name, Consumer<StubOptions> overrides) {
        stubLevel("method");
        StubOptions m = new StubOptions(true);
        overrides.accept(m);
        methods.merge(name, m.options, CallOptions::merge);
        return this;
    }

    private void stubLevel(String what) {
        if (methodLevel) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, what + " is a stub option, not a method option");
        }
    }

    String version() {
        return version;
    }

    String group() {
        return group;
    }

    String address() {
        return address;
    }

    CallOptions options() {
        return options;
    }

    Map<String, CallOptions> methods() {
        return methods;
    }
}
