package io.sluice.rpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import io.sluice.rpc.internal.cluster.RetryBudget;
import io.sluice.rpc.internal.discovery.ConsumerDirectories;
import io.sluice.rpc.internal.discovery.Directory;
import io.sluice.rpc.internal.discovery.DirectAddresses;
import io.sluice.rpc.internal.endpoint.ChannelPool;
import io.sluice.rpc.internal.endpoint.CircuitBreaker;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.MethodDescriptor;
import io.sluice.rpc.internal.invoke.RpcInvoker;
import io.sluice.rpc.internal.invoke.ServiceRef;
import io.sluice.rpc.internal.loadbalance.LoadBalancers;
import io.sluice.rpc.internal.metrics.MicrometerRpcMetrics;
import io.sluice.rpc.internal.provider.ExportedMethod;
import io.sluice.rpc.internal.serialize.AllowList;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import io.sluice.rpc.internal.stub.AsyncCapture;
import io.sluice.rpc.internal.stub.GenericStub;
import io.sluice.rpc.internal.stub.StubHandler;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Makes stubs of remote services: typed stubs of an interface, and generic ones for services whose interface is
 * not on the classpath. Providers come from the registry (subscribed per service, cached, so calls go on while
 * ZooKeeper is unreachable) or from a direct address list ({@code rpc://host:port[,host:port]}).
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.builder().registry("zookeeper://127.0.0.1:2181").build()) {
 *     UserService users = client.stub(UserService.class, o -> o.version("1.0")
 *             .timeout(Duration.ofMillis(500)).loadBalancer("least-active").cluster("failover").retries(2));
 *     User u = users.getUser(42);                                          // waits
 *     CompletableFuture<User> f = RpcClient.async(() -> users.getUser(43)); // does not wait
 * }
 * }</pre>
 * Thread-safe: stubs may be shared by any number of threads. Closing the client closes its connections and
 * fails the calls in flight.
 */
public final class RpcClient implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final int CALLBACK_QUEUE = 65_536;

    private final RpcClientConfig config;
    private final String defaultAddress;
    private final RemotingClient remoting;
    private final HashedWheelTimer timer;
    private final ChannelPool pool;
    private final RpcSerializer serializer;
    private final RpcEventListener listener;
    private final Invoker chain;
    private final ExecutorService callbackPool;
    private final LongSupplier nanoClock = System::nanoTime;
    private final LongSupplier clockMs = System::currentTimeMillis;
    private final ConsumerDirectories directories;
    private volatile boolean closed;

    private RpcClient(Builder b, RegistryClient registry, boolean ownsRegistry) {
        this.config = b.config;
        this.defaultAddress = b.directAddress;
        String consumerId = config.application() + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet();
        this.listener = b.metrics == null ? b.listener
                : RpcEventListener.both(b.listener, new MicrometerRpcMetrics(b.metrics));
        this.serializer = new RpcSerializer(AllowList.defaults().with(config.allowedClasses()),
                config.maxPayloadBytes());
        this.remoting = new RemotingClient("rpc-" + consumerId, b.transport, b.metrics);
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("sluice-rpc-timer", true), 10,
                TimeUnit.MILLISECONDS, 512);
        this.pool = new ChannelPool(remoting, timer, config.reconnectBackoffMs(), config.reconnectBackoffMaxMs(),
                config.timeoutMs());
        AtomicInteger callbackThreads = new AtomicInteger();
        // bounded; when full (or shut down), the completing thread runs the callback itself rather than lose it
        this.callbackPool = new ThreadPoolExecutor(config.callbackThreads(), config.callbackThreads(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(CALLBACK_QUEUE), r -> {
                    Thread t = new Thread(r, "sluice-rpc-callback-" + callbackThreads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (task, executor) -> task.run());
        ((ThreadPoolExecutor) callbackPool).allowCoreThreadTimeOut(true);
        RetryBudget budget = new RetryBudget(config.retryBudgetPercent(), config.retryBudgetMinPerSecond(),
                nanoClock);
        this.chain = RpcInvoker.buildChain(serializer, PooledByteBufAllocator.DEFAULT, timer, budget, listener,
                nanoClock);
        this.directories = new ConsumerDirectories(registry, ownsRegistry, pool, (service, provider) ->
                new CircuitBreaker(config.circuitFailureThreshold(),
                        TimeUnit.MILLISECONDS.toNanos(config.circuitOpenMs()),
                        TimeUnit.MILLISECONDS.toNanos(config.circuitOpenMaxMs()),
                        (from, to) -> listener.circuitStateChanged(service, provider, from.name(), to.name())),
                listener, consumerId);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code call}, which must make one call on a stub, without waiting for its answer: the stub returns a
     * placeholder and the answer completes the returned future (on a client callback thread).
     */
    @SuppressWarnings("unchecked")
    public static <T> CompletableFuture<T> async(Supplier<T> call) {
        AsyncCapture capture = AsyncCapture.open();
        try {
            call.get();
        } finally {
            capture.close();
        }
        if (capture.future() == null) {
            throw new IllegalArgumentException("RpcClient.async(...) needs a supplier that calls an RPC stub method");
        }
        return (CompletableFuture<T>) capture.future();
    }

    /** A stub with the client's default options. */
    public <T> T stub(Class<T> type) {
        return stub(type, o -> { });
    }

    /** A stub of {@code type}; see {@link StubOptions} for what may be set. */
    public <T> T stub(Class<T> type, Consumer<StubOptions> options) {
        if (!type.isInterface()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, type.getName() + " is not an interface");
        }
        StubOptions o = configure(options);
        ServiceRef ref = serviceRef(type.getName(), o);
        serializer.allow(AllowList.packagesOf(type));
        Map<Method, MethodDescriptor> methods = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            methods.put(m, descriptor(m, o));
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new StubHandler(ref, methods, chain, callbackPool, nanoClock));
        directories.registerConsumer(ref.serviceKey(), config.application(), ref.version(), ref.group(),
                methods.keySet().stream().map(Method::getName).distinct().sorted().toList());
        return type.cast(proxy);
    }

    /** A generic stub of the service named {@code interfaceName}. */
    public GenericService generic(String interfaceName, Consumer<StubOptions> options) {
        StubOptions o = configure(options);
        ServiceRef ref = serviceRef(interfaceName, o);
        directories.registerConsumer(ref.serviceKey(), config.application(), ref.version(), ref.group(),
                List.of("*generic*"));
        return new GenericStub(ref, chain, serializer, o.options(), o.methods(), callbackPool, nanoClock);
    }

    /** The providers of a stubbed service as this client sees them now (for tools and tests). */
    public List<String> providers(String interfaceName, String version, String group) {
        List<String> out = new ArrayList<>();
        String key = ServiceRef.key(interfaceName, version, group);
        for (Directory d : directories.directories(key)) {
            d.endpoints().forEach(e -> out.add(e.id() + (e.usable(nanoClock.getAsLong()) ? ""
                    : " (unusable: " + e + ")")));
        }
        return out;
    }

    private StubOptions configure(Consumer<StubOptions> options) {
        if (closed) {
            throw new SluiceException(ErrorCode.CLIENT_CLOSED, "RPC client is closed");
        }
        CallOptions defaults = CallOptions.DEFAULT
                .withDefault(CallOptions.TIMEOUT, Duration.ofMillis(config.timeoutMs()))
                .withDefault(CallOptions.LOAD_BALANCER, config.loadBalancer())
                .withDefault(CallOptions.CLUSTER, config.cluster())
                .withDefault(CallOptions.RETRIES, config.retries());
        StubOptions o = StubOptions.forStub(defaults);
        options.accept(o);
        validate(o.options());
        o.methods().values().forEach(RpcClient::validate);
        return o;
    }

    private static void validate(CallOptions options) {
        LoadBalancers.validate(options.get(CallOptions.LOAD_BALANCER));
        String cluster = options.get(CallOptions.CLUSTER);
        if (!RpcInvoker.CLUSTER_MODES.contains(cluster)) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown cluster mode '" + cluster + "': use one of "
                    + RpcInvoker.CLUSTER_MODES);
        }
    }

    private MethodDescriptor descriptor(Method m, StubOptions o) {
        CallOptions options = o.options();
        CallOptions overrides = o.methods().get(m.getName());
        if (overrides != null) {
            options = options.merge(overrides);
        }
        Class<?> resultType = ExportedMethod.resultType(m);
        boolean voidResult = resultType == void.class || resultType == Void.class;
        if (options.get(CallOptions.ONEWAY) && (!voidResult || CompletableFuture.class.isAssignableFrom(
                m.getReturnType()))) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "oneway needs a method returning void: "
                    + m.getDeclaringClass().getName() + "#" + m.getName() + " returns " + m.getReturnType().getName());
        }
        List<String> parameterTypes = new ArrayList<>();
        for (Class<?> p : m.getParameterTypes()) {
            parameterTypes.add(p.getName());
        }
        serializer.registerRecords(m);
        return new MethodDescriptor(m.getName(), parameterTypes, serializer.schemaFor(m.getParameterTypes()),
                serializer.schemaFor(voidResult ? Object.class : resultType), options,
                CompletableFuture.class.isAssignableFrom(m.getReturnType()), voidResult, null);
    }

    private ServiceRef serviceRef(String interfaceName, StubOptions o) {
        String address = o.address() != null ? o.address() : defaultAddress;
        Directory directory = directories.directory(ServiceRef.key(interfaceName, o.version(), o.group()), address);
        return new ServiceRef(interfaceName, o.version(), o.group(), directory, clockMs);
    }

    /** Stops the subscriptions, closes every connection (failing calls in flight) and stops the client's threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        directories.close();
        pool.close();
        remoting.close();
        timer.stop();
        callbackPool.shutdown();
    }

    /** Builds an {@link RpcClient}. Not thread-safe. */
    public static final class Builder {
        private RpcClientConfig config = new RpcClientConfig();
        private TransportConfig transport = new TransportConfig();
        private String registryAddress;
        private RegistryConfig registryConfig;
        private RegistryClient registryClient;
        private String directAddress;
        private MeterRegistry metrics;
        private RpcEventListener listener = RpcEventListener.NONE;

        private Builder() {
        }

        /**
         * Where providers are found: "zookeeper://host:port[,host:port]" (a registry), or
         * "rpc://host:port[,host:port]" (these providers, no registry).
         */
        public Builder registry(String address) {
            Objects.requireNonNull(address, "address");
            if (address.regionMatches(true, 0, DirectAddresses.SCHEME, 0, DirectAddresses.SCHEME.length())) {
                this.directAddress = address;
            } else {
                this.registryAddress = address;
            }
            return this;
        }

        /** Finds providers through this registry configuration; the client owns the session. */
        public Builder registry(RegistryConfig value) {
            this.registryConfig = value;
            return this;
        }

        /** Finds providers through a shared registry session; the client does not close it. */
        public Builder registry(RegistryClient client) {
            this.registryClient = client;
            return this;
        }

        public Builder config(RpcClientConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        public Builder transport(TransportConfig value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        public Builder metrics(MeterRegistry value) {
            this.metrics = value;
            return this;
        }

        public Builder listener(RpcEventListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** Connects to the registry if one is configured. Throws REGISTRY_UNAVAILABLE or INVALID_CONFIG. */
        public RpcClient build() {
            config.conclude();
            if (directAddress != null) {
                DirectAddresses.parse("check", directAddress);
            }
            RegistryClient client = registryClient;
            boolean owns = false;
            if (client == null && (registryConfig != null || registryAddress != null)) {
                RegistryConfig rc = registryConfig != null ? registryConfig : new RegistryConfig();
                if (registryAddress != null) {
                    rc.connect(registryAddress);
                }
                client = RegistryClient.connect(rc);
                owns = true;
            }
            try {
                return new RpcClient(this, client, owns);
            } catch (RuntimeException e) {
                if (owns) {
                    client.close();
                }
                throw e;
            }
        }
    }
}
