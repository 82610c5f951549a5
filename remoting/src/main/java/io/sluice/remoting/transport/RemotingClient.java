package io.sluice.remoting.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.MessageCodec;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Opens and pools {@link Connection}s to Sluice servers; owns the client I/O threads (one NIO event loop group,
 * daemon threads). The pool keeps one connection per address: concurrent callers share one connect attempt, and a
 * closed connection is replaced on next use. Thread-safe.
 */
public final class RemotingClient implements AutoCloseable {
    private static final int WRITE_LOW_WATER_MARK = 256 * 1024;
    private static final int WRITE_HIGH_WATER_MARK = 1024 * 1024;
    private static final long SHUTDOWN_TIMEOUT_MS = 3_000;

    private final String name;
    private final TransportConfig config;
    private final TransportMetrics metrics;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ProtocolErrorHandler errors;
    private final Set<ClientConnection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetSocketAddress, CompletableFuture<Connection>> pool =
            new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** {@code metrics} may be null. */
    public RemotingClient(String name, TransportConfig config, MeterRegistry metrics) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config").conclude();
        MessageCodec.warmUp();
        this.metrics = TransportMetrics.create(metrics, "client", name, open::size);
        this.errors = new ProtocolErrorHandler(this.metrics);
        this.group = new MultiThreadIoEventLoopGroup(this.config.ioThreads(),
                new DefaultThreadFactory("sluice-" + name + "-io", true), NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, this.config.connectTimeoutMs())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_LOW_WATER_MARK, WRITE_HIGH_WATER_MARK))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Pipelines.initClient(ch.pipeline(), RemotingClient.this.config, RemotingClient.this.metrics,
                                errors, new ResponseHandler());
                    }
                });
    }

    /** Opens a new connection (not pooled); fails with NETWORK_ERROR if it cannot connect within the timeout. */
    public CompletableFuture<Connection> connect(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(closedError());
            return result;
        }
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(address);
        } catch (RuntimeException e) { // the event loop group is shutting down
            result.completeExceptionally(closed ? closedError() : connectError(address, e));
            return result;
        }
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(connectError(address, f.cause()));
                return;
            }
            Channel channel = connect.channel();
            ClientConnection connection = new ClientConnection(channel, address, config, metrics);
            channel.pipeline().get(ResponseHandler.class).connection(connection);
            open.add(connection);
            connection.closeFuture().whenComplete((v, e) -> open.remove(connection));
            if (!channel.isActive()) {
                connection.onClosed();
            }
            if (closed) {
                connection.close();
                result.completeExceptionally(closedError());
                return;
            }
            result.complete(connection);
        });
        return result;
    }

    private SluiceException connectError(InetSocketAddress address, Throwable cause) {
        String why = cause == null ? "unknown cause" : cause.getMessage() == null ? cause.toString()
                : cause.getMessage();
        return new SluiceException(ErrorCode.NETWORK_ERROR, name + " cannot connect to " + address + " within "
                + config.connectTimeoutMs() + " ms: " + why, cause);
    }

    private SluiceException closedError() {
        return new SluiceException(ErrorCode.CLIENT_CLOSED, "client " + name + " is closed");
    }

    /**
     * The pooled connection to {@code address}, opened on first use and reopened after it closes. Callers asking
     * at the same time share one connect attempt (and one future: do not cancel it).
     */
    public CompletableFuture<Connection> connection(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        CompletableFuture<Connection> current = pool.get(address);
        if (usable(current)) {
            return current;
        }
        if (closed) {
            return CompletableFuture.failedFuture(closedError());
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<Connection>[] created = new CompletableFuture[1];
        CompletableFuture<Connection> entry = pool.compute(address, (addr, existing) -> {
            if (usable(existing)) {
                return existing;
            }
            created[0] = new CompletableFuture<>();
            return created[0];
        });
        if (created[0] != null) {
            // connect outside the map's lock: its callbacks may run at once and update the pool themselves
            CompletableFuture<Connection> pending = created[0];
            connect(address).whenComplete((connection, error) -> {
                if (error != null) {
                    pool.remove(address, pending);
                    pending.completeExceptionally(error);
                } else {
                    connection.closeFuture().whenComplete((v, e) -> pool.remove(address, pending));
                    pending.complete(connection);
                }
            });
        }
        return entry;
    }

    /** A pool entry is usable while connecting or when its connection is open. */
    private static boolean usable(CompletableFuture<Connection> future) {
        if (future == null) {
            return false;
        }
        if (!future.isDone()) {
            return true;
        }
        return !future.isCompletedExceptionally() && future.join().isActive();
    }

    public TransportConfig config() {
        return config;
    }

    public String name() {
        return name;
    }

    /** Closes every connection (failing their pending requests with NETWORK_ERROR) and stops the I/O threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ClientConnection> connections = new ArrayList<>(open);
        for (ClientConnection connection : connections) {
            connection.channel().close().awaitUninterruptibly();
        }
        pool.clear();
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        metrics.close();
    }
}
