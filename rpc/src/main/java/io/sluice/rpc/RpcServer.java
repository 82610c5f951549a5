package io.sluice.rpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.transport.RemotingServer;
import io.sluice.remoting.transport.TransportConfig;
import io.sluice.rpc.internal.metrics.MicrometerRpcMetrics;
import io.sluice.rpc.internal.provider.BusinessPool;
import io.sluice.rpc.internal.provider.OnewayLanes;
import io.sluice.rpc.internal.provider.ExportedService;
import io.sluice.rpc.internal.provider.HealthCheck;
import io.sluice.rpc.internal.provider.ProviderLifecycle;
import io.sluice.rpc.internal.provider.ProviderRegistration;
import io.sluice.rpc.internal.provider.RpcRequestHandler;
import io.sluice.rpc.internal.provider.SelfCheck;
import io.sluice.rpc.internal.provider.ServiceScanner;
import io.sluice.rpc.internal.provider.ServiceTable;
import io.sluice.rpc.internal.serialize.AllowList;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exports services over the Sluice protocol and registers them, once ready, in the registry.
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder().registry("zookeeper://127.0.0.1:2181").port(20880)
 *         .service(new UserServiceImpl())      // @RpcService(version = "1.0", weight = 100)
 *         .start();
 * ...
 * server.close();                              // deregister, finish calls in flight, stop
 * }</pre>
 *
 * <p>Start: bind, check itself by calling its built-in health service through its own port, then register one
 * ephemeral node per service. Service methods run on a bounded business pool, apart from the I/O threads; a full
 * pool answers PROVIDER_BUSY at once. Close: deregister, keep serving for the grace period while consumers learn
 * of it, then refuse new calls (PROVIDER_SHUTTING_DOWN, which consumers retry elsewhere), wait (bounded) for the
 * calls in flight, and stop. Thread-safe.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final RpcServerConfig config;
    private final ServiceTable services;
    private final ProviderLifecycle lifecycle = new ProviderLifecycle();
    private final ThreadPoolExecutor businessPool;
    private final RemotingServer server;
    private final ProviderRegistration registration;
    private final InetSocketAddress address;
    private final String name;
    /** Closes this server when the JVM shuts down ({@link RpcServerConfig#shutdownHook()}). */
    private final Thread shutdownHook;

    private RpcServer(Builder b, RegistryClient registry, boolean ownsRegistry) {
        this.config = b.config;
        this.registration = new ProviderRegistration(registry, ownsRegistry);
        this.name = b.config.application() + "-" + SEQUENCE.incrementAndGet();
        this.shutdownHook = new Thread(this::closeOnExit, "sluice-rpc-shutdown-" + name);
        RpcEventListener listener = b.metrics == null ? b.listener
                : RpcEventListener.both(b.listener, new MicrometerRpcMetrics(b.metrics));
        List<String> allowed = new ArrayList<>(config.allowedClasses());
        for (Spec spec : b.specs) {
            allowed.addAll(AllowList.packagesOf(spec.type));
        }
        RpcSerializer serializer = new RpcSerializer(AllowList.defaults().with(allowed), config.maxPayloadBytes());
        this.services = new ServiceTable();
        services.add(new ExportedService(HealthCheck.class, new HealthCheck.Impl(), "", "", 0, serializer));
        for (Spec spec : b.specs) {
            services.add(new ExportedService(spec.type, spec.implementation, spec.version, spec.group, spec.weight,
                    serializer));
        }
        this.businessPool = BusinessPool.create(config.businessThreads(), config.businessQueue(), name);
        RemotingServer remoting = new RemotingServer("rpc-" + name, b.transport, b.metrics);
        OnewayLanes onewayLanes = config.onewayOrdered()
                ? new OnewayLanes(businessPool, config.businessThreads() + config.businessQueue()) : null;
        remoting.handle(ApiKey.RPC_INVOKE, new RpcRequestHandler(services, businessPool, onewayLanes, lifecycle,
                serializer, listener, System::nanoTime, name));
        try {
            remoting.start(config.host(), config.port());
        } catch (RuntimeException e) {
            businessPool.shutdownNow();
            remoting.close();
            throw e;
        }
        this.server = remoting;
        this.address = remoting.localAddress();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Self-checks and registers; on failure closes everything and rethrows. */
    private RpcServer startUp() {
        try {
            lifecycle.selfCheck();
            SelfCheck.run(address, config.maxPayloadBytes());
            registration.registerAll(services.all(), config.advertisedHost(), address.getPort(), config.warmupMs(),
                    config.application());
            lifecycle.registered();
            if (config.shutdownHook()) {
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
            LOG.info("RPC provider {} serving {} on {}", name, serviceKeys(), address);
            return this;
        } catch (RuntimeException e) {
            lifecycle.closed();
            stop();
            throw e;
        }
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** The service keys exported (built-in services excluded). */
    public List<String> serviceKeys() {
        List<String> keys = new ArrayList<>();
        for (ExportedService s : services.all()) {
            if (s.type() != HealthCheck.class) {
                keys.add(s.serviceKey());
            }
        }
        keys.sort(null);
        return keys;
    }

    public ProviderLifecycle.State state() {
        return lifecycle.state();
    }

    /** Calls accepted and not yet answered. */
    public int inFlight() {
        return lifecycle.inFlight();
    }

    /**
     * Graceful shutdown: deregisters, serves on for the unregister grace period (skipped without a registry),
     * refuses new calls, waits at most the shutdown timeout for the calls in flight, then stops. Idempotent.
     */
    @Override
    public synchronized void close() {
        ProviderLifecycle.State before = lifecycle.state();
        if (before == ProviderLifecycle.State.CLOSED) {
            return;
        }
        if (config.shutdownHook() && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (or ran) and finds this server closing or closed
            }
        }
        long graceNs = registration.any() ? TimeUnit.MILLISECONDS.toNanos(config.unregisterGraceMs()) : 0;
        lifecycle.beginShutdown(System.nanoTime(), graceNs, TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeoutMs()));
        registration.deregisterAll();
        while (lifecycle.onTimeEvent(System.nanoTime()) != ProviderLifecycle.State.CLOSED) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lifecycle.closed();
            }
        }
        if (lifecycle.inFlight() > 0) {
            LOG.warn("RPC provider {} stops with {} calls still running after {} ms", name, lifecycle.inFlight(),
                    config.shutdownTimeoutMs());
        }
        stop();
        LOG.info("RPC provider {} on {} stopped", name, address);
    }

    private void closeOnExit() {
        LOG.info("RPC provider {}: the JVM is shutting down, closing gracefully ({}=false turns this off)", name,
                RpcServerConfig.SHUTDOWN_HOOK);
        close();
    }

    private void stop() {
        registration.deregisterAll();
        server.close();
        businessPool.shutdown();
        try {
            if (!businessPool.awaitTermination(1, TimeUnit.SECONDS)) {
                businessPool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            businessPool.shutdownNow();
        }
        registration.close();
    }

    /** One service to export. */
    private record Spec(Class<?> type, Object implementation, String version, String group, int weight) {
    }

    /** Builds and starts an {@link RpcServer}. Not thread-safe. */
    public static final class Builder {
        private RpcServerConfig config = new RpcServerConfig();
        private TransportConfig transport = new TransportConfig();
        private String registryAddress;
        private RegistryConfig registryConfig;
        private RegistryClient registryClient;
        private MeterRegistry metrics;
        private RpcEventListener listener = RpcEventListener.NONE;
        private final List<Spec> specs = new ArrayList<>();
        private final List<String> scans = new ArrayList<>();
        private Integer port;
        private String host;

        private Builder() {
        }

        /** Registers in this registry ("zookeeper://host:port[,host:port]"); without one, serves direct calls only. */
        public Builder registry(String address) {
            this.registryAddress = address;
            return this;
        }

        /** Registers through this registry configuration (session timeout etc.); the server owns the session. */
        public Builder registry(RegistryConfig registryConfig) {
            this.registryConfig = registryConfig;
            return this;
        }

        /** Registers through a shared registry session; the server does not close it. */
        public Builder registry(RegistryClient client) {
            this.registryClient = client;
            return this;
        }

        public Builder config(RpcServerConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        public Builder transport(TransportConfig value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        /** The port to listen on; 0 picks a free one. */
        public Builder port(int value) {
            this.port = value;
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

        /**
         * Exports {@code implementation} under its {@link RpcService} annotation (interface, version, group,
         * weight), or, without one, under its only interface with no version or group and weight 100.
         */
        public Builder service(Object implementation) {
            Class<?> type = implementation.getClass();
            RpcService annotation = type.getAnnotation(RpcService.class);
            Class<?> exported = annotation != null && annotation.value() != void.class ? annotation.value()
                    : onlyInterface(type);
            return add(exported, implementation, annotation == null ? "" : annotation.version(),
                    annotation == null ? "" : annotation.group(), annotation == null ? 100 : annotation.weight());
        }

        /** Exports {@code implementation} as {@code type} with this version, group and weight. */
        public <T> Builder service(Class<T> type, T implementation, String version, String group, int weight) {
            return add(type, implementation, version, group, weight);
        }

        /** Exports every {@link RpcService} class found under {@code packageName} (each needs a no-arg constructor). */
        public Builder scan(String packageName) {
            scans.add(packageName);
            return this;
        }

        private Builder add(Class<?> type, Object implementation, String version, String group, int weight) {
            if (!type.isInterface() || !type.isInstance(implementation)) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, implementation.getClass().getName()
                        + " must implement the exported interface " + type.getName());
            }
            if (weight < 0 || weight > 10_000) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "weight of " + type.getName() + " must be "
                        + "0..10000, got " + weight);
            }
            specs.add(new Spec(type, implementation, version == null ? "" : version, group == null ? "" : group,
                    weight));
            return this;
        }

        private static Class<?> onlyInterface(Class<?> type) {
            Class<?>[] interfaces = type.getInterfaces();
            if (interfaces.length != 1) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, type.getName() + " implements "
                        + interfaces.length + " interfaces: name the exported one with @RpcService(value = ...)");
            }
            return interfaces[0];
        }

        /** Binds, self-checks, registers. Throws PORT_IN_USE, INVALID_CONFIG, REGISTRY_UNAVAILABLE as it applies. */
        public RpcServer start() {
            for (String pkg : scans) {
                ServiceScanner.instantiate(pkg, Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : RpcServer.class.getClassLoader())
                        .forEach(this::service);
            }
            scans.clear();
            if (specs.isEmpty()) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "no service to export: add service(...) or scan");
            }
            if (host != null) {
                config.host(host);
            }
            if (port != null) {
                config.port(port);
            }
            config.conclude();
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
                return new RpcServer(this, client, owns).startUp();
            } catch (RuntimeException e) {
                if (owns) {
                    client.close();
                }
                throw e;
            }
        }
    }
}
