package io.sluice.remoting.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Netty server speaking the Sluice frame protocol (see {@link FrameLayout}). Register a {@link RequestHandler}
 * per {@link ApiKey}, then {@link #start}. Requests of unregistered types are answered UNSUPPORTED_API; heartbeats
 * are answered by the transport itself. A malformed frame closes only its connection.
 *
 * <p>Runs one acceptor thread and {@link TransportConfig#ioThreads()} I/O threads (NIO). Connections use
 * TCP_NODELAY, a write-buffer water mark and consolidated flushes; the pipeline is described in {@link Pipelines}.
 * Memory is bounded end to end: frames being received, requests not yet answered and answers not yet written
 * count against per-connection and per-server bounds ({@link ServerBudget}), and a connection at a bound is not
 * read until it is under it again ({@link ReadGate}).
 * Handlers are registered before {@code start} by one thread; after that the server is thread-safe.
 */
public final class RemotingServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemotingServer.class);
    private static final int BACKLOG = 1024;
    private static final long SHUTDOWN_QUIET_MS = 50;
    private static final long SHUTDOWN_TIMEOUT_MS = 3_000;

    private final String name;
    private final TransportConfig config;
    private final MeterRegistry registry;
    private final RequestHandler[] handlers = new RequestHandler[ApiKey.values().length];
    private final ServerBudget budget;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private TransportMetrics metrics = TransportMetrics.NOOP;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private volatile boolean closed;

    /** {@code metrics} may be null. */
    public RemotingServer(String name, TransportConfig config, MeterRegistry metrics) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config").conclude();
        this.budget = new ServerBudget(this.config);
        MessageCodec.warmUp();
        this.registry = metrics;
    }

    /** Registers the handler of one request type; call before {@link #start}. */
    public RemotingServer handle(ApiKey key, RequestHandler handler) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(handler, "handler");
        if (serverChannel != null) {
            throw new IllegalStateException("register handlers before start(): " + key);
        }
        if (key == ApiKey.HEARTBEAT) {
            LOG.warn("{}: ignoring a handler for HEARTBEAT; heartbeats are answered by the transport itself", name);
            return this;
        }
        handlers[key.ordinal()] = handler;
        return this;
    }

    /** Binds and starts serving; throws {@code SluiceException(PORT_IN_USE)} if the port is taken. Port 0 picks one. */
    public synchronized RemotingServer start(String host, int port) {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("server " + name + " already started or closed");
        }
        metrics = TransportMetrics.create(registry, "server", name, connections::size);
        metrics.bindBudget(budget);
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sluice-" + name + "-accept"),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("sluice-" + name + "-io"), NioIoHandler.newFactory());
        ProtocolErrorHandler errors = new ProtocolErrorHandler(metrics);
        RequestHandler[] served = handlers.clone();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.connectionMaxUnwrittenBytes() / 4, config.connectionMaxUnwrittenBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        Pipelines.initServer(ch.pipeline(), config, metrics, errors, budget,
                                gate -> new RequestDispatcher(name, served, gate, budget, config, metrics));
                    }
                });
        ChannelFuture bind = bootstrap.bind(host, port).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutdownGroups();
            metrics.close();
            throw bindFailure(host, port, bind.cause());
        }
        serverChannel = bind.channel();
        LOG.info("{} listening on {}", name, serverChannel.localAddress());
        return this;
    }

    private SluiceException bindFailure(String host, int port, Throwable cause) {
        if (cause instanceof BindException) {
            return new SluiceException(ErrorCode.PORT_IN_USE, "port " + host + ":" + port + " already in use: "
                    + name + " cannot listen there; stop the other process or choose another port", cause);
        }
        return new SluiceException(ErrorCode.NETWORK_ERROR, name + " cannot listen on " + host + ":" + port + ": "
                + cause, cause);
    }

    /** The bound address; null before {@link #start}. */
    public InetSocketAddress localAddress() {
        Channel channel = serverChannel;
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Bytes of frames being received in pieces, all connections together. */
    public long bufferedInboundBytes() {
        return budget.frames().used();
    }

    /** Bytes of answers produced and not yet written, all connections together. */
    public long bufferedOutboundBytes() {
        return budget.unwrittenBytes();
    }

    /** Requests read and not yet answered, all connections together. */
    public int queuedRequests() {
        return budget.queuedRequests();
    }

    public String name() {
        return name;
    }

    public TransportConfig config() {
        return config;
    }

    /** Stops accepting, closes every connection and stops the I/O threads (waits for them, briefly). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        shutdownGroups();
        metrics.close();
        if (serverChannel != null) {
            LOG.info("{} stopped", name);
        }
    }

    private void shutdownGroups() {
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.terminationFuture().awaitUninterruptibly();
        }
    }
}
