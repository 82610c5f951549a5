package io.sluice.registry;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single ZooKeeper server inside this JVM, for the standalone mode and for tests: a real {@link ZooKeeperServer}
 * with its snapshots and transaction log in {@code dataDir} (ZooKeeper's own format, under {@code version-2/}), served
 * by an {@link NIOServerCnxnFactory} bound to one address. Nothing else is started: no admin HTTP server, no
 * quorum. Data survives a restart on the same directory.
 *
 * <p>The tick is {@value #TICK_MS} ms, so sessions may last from {@value #MIN_SESSION_MS} ms to
 * {@value #MAX_SESSION_MS} ms, and at most {@value #MAX_CLIENT_CONNECTIONS} connections come from one address.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    static final int TICK_MS = 500;
    static final int MIN_SESSION_MS = 1_000;
    static final int MAX_SESSION_MS = 60_000;
    static final int MAX_CLIENT_CONNECTIONS = 1_000;

    private final ZooKeeperServer server;
    private final NIOServerCnxnFactory factory;
    private final String host;
    private final int port;
    private final Path dataDir;
    private boolean closed;

    private EmbeddedZooKeeper(ZooKeeperServer server, NIOServerCnxnFactory factory, String host, Path dataDir) {
        this.server = server;
        this.factory = factory;
        this.host = host;
        this.port = factory.getLocalPort();
        this.dataDir = dataDir;
    }

    /**
     * Starts a server on {@code host:port} ({@code port} 0 picks a free one) keeping its data in {@code dataDir}
     * (created if missing). Throws PORT_IN_USE if the port is taken, DATA_DIR_NOT_WRITABLE if the directory cannot
     * be created or written, INVALID_CONFIG for a wildcard or unknown host or a port outside 0..65535.
     */
    public static EmbeddedZooKeeper start(Path dataDir, String host, int port) {
        InetAddress address = resolve(host);
        if (port < 0 || port > 65535) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "ZooKeeper port " + port + " is invalid: must be"
                    + " 0..65535");
        }
        File dir = prepare(dataDir);
        ZooKeeperServer server;
        try {
            server = new ZooKeeperServer(dir, dir, TICK_MS);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.DATA_DIR_NOT_WRITABLE, "ZooKeeper data directory " + dataDir
                    + " cannot be used: " + e.getMessage(), e);
        }
        server.setMinSessionTimeout(MIN_SESSION_MS);
        server.setMaxSessionTimeout(MAX_SESSION_MS);
        NIOServerCnxnFactory factory = new NIOServerCnxnFactory();
        try {
            factory.configure(new InetSocketAddress(address, port), MAX_CLIENT_CONNECTIONS, -1, false);
        } catch (BindException e) {
            closeQuietly(server);
            throw new SluiceException(ErrorCode.PORT_IN_USE, "cannot start ZooKeeper on " + host + ":" + port
                    + ": the port is already in use (stop the other process or choose another port)", e);
        } catch (IOException e) {
            closeQuietly(server);
            throw new SluiceException(ErrorCode.PORT_IN_USE, "cannot listen on " + host + ":" + port + " for"
                    + " ZooKeeper: " + e.getMessage(), e);
        }
        try {
            factory.startup(server);
        } catch (IOException e) {
            factory.shutdown();
            closeQuietly(server);
            throw new SluiceException(ErrorCode.DATA_DIR_NOT_WRITABLE, "ZooKeeper could not load or write its data"
                    + " in " + dataDir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            factory.shutdown();
            closeQuietly(server);
            throw new SluiceException(ErrorCode.UNKNOWN, "interrupted while starting ZooKeeper", e);
        }
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, factory, host, dataDir);
        LOG.info("embedded ZooKeeper serving {} with data in {}", zk.connectString(), dataDir);
        return zk;
    }

    private static InetAddress resolve(String host) {
        if (host == null || host.isBlank()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "ZooKeeper host is missing: give an address such"
                    + " as 127.0.0.1");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "ZooKeeper host '" + host + "' is unknown", e);
        }
        if (address.isAnyLocalAddress()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "ZooKeeper host '" + host + "' is invalid: bind a"
                    + " specific address such as 127.0.0.1, not a wildcard");
        }
        return address;
    }

    private static File prepare(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException | RuntimeException e) {
            throw new SluiceException(ErrorCode.DATA_DIR_NOT_WRITABLE, "cannot create ZooKeeper data directory "
                    + dataDir + ": " + e, e);
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir)) {
            throw new SluiceException(ErrorCode.DATA_DIR_NOT_WRITABLE, "ZooKeeper data directory " + dataDir
                    + " is not a writable directory");
        }
        return dataDir.toFile();
    }

    /** {@code host:port} for clients. */
    public String connectString() {
        return host + ":" + port;
    }

    /** The port actually bound. */
    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops serving and closes the data files; connected clients see a disconnect. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        factory.shutdown();
        closeQuietly(server);
        LOG.info("embedded ZooKeeper on {} stopped", connectString());
    }

    private static void closeQuietly(ZooKeeperServer server) {
        try {
            if (server.isRunning()) {
                server.shutdown();
            }
        } catch (RuntimeException e) {
            LOG.debug("ZooKeeper shutdown: {}", e.toString());
        }
        try {
            if (server.getZKDatabase() != null) {
                server.getZKDatabase().close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("ZooKeeper database close: {}", e.toString());
        }
        try {
            if (server.getTxnLogFactory() != null) {
                server.getTxnLogFactory().close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("ZooKeeper log close: {}", e.toString());
        }
    }
}
