package io.sluice.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy on 127.0.0.1 that forwards every connection to one target, and that can be {@link #cut()}: every
 * forwarded connection is closed and new ones are accepted and closed at once, as if the network between the two
 * sides had failed; {@link #restore()} forwards again. Blocking sockets, two pump threads per connection; meant for
 * the few connections of a test (at most {@value #MAX_CONNECTIONS} at once). {@link #loseNextAnswer()} lets
 * requests through but drops the next bytes the target sends back and closes that connection, as when a connection
 * dies after a request was carried out but before its answer arrived.
 */
final class TcpProxy implements AutoCloseable {
    private static final int MAX_CONNECTIONS = 16;

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> open = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean cut;
    private final java.util.concurrent.atomic.AtomicBoolean loseNextAnswer = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** A proxy to {@code host:port} ({@code connectString} form). */
    static TcpProxy start(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        TcpProxy proxy = new TcpProxy(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))));
        proxy.acceptor.start();
        return proxy;
    }

    /** Where to connect instead of the target, as host:port. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Closes every forwarded connection and refuses new ones until {@link #restore()}. */
    void cut() {
        cut = true;
        closeAll();
    }

    void restore() {
        cut = false;
    }

    /** The next bytes any target sends back are dropped and their connection closed; later ones pass again. */
    void loseNextAnswer() {
        loseNextAnswer.set(true);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut || !register(client)) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            if (!register(upstream)) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            pump(client, upstream, false);
            pump(upstream, client, true);
        }
    }

    private synchronized boolean register(Socket socket) {
        if (cut || closed || open.size() >= MAX_CONNECTIONS) {
            return false;
        }
        open.removeIf(Socket::isClosed);
        open.add(socket);
        return true;
    }

    private void pump(Socket from, Socket to, boolean answers) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (answers && loseNextAnswer.compareAndSet(true, false)) {
                        return; // dropped; finally closes both sides
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed or the proxy was cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        List<Socket> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(open);
            open.clear();
        }
        toClose.forEach(TcpProxy::closeQuietly);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        closeAll();
    }
}
