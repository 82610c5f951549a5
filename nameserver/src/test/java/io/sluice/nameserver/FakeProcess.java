package io.sluice.nameserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A process as the probes see it: a socket listening on 127.0.0.1 that accepts and holds connections until the
 * process "dies", when nothing listens any more and every connection it held closes.
 *
 * <p>Dying is race-free: closing a listening socket does not stop an accept already completing in the kernel, so a
 * connection accepted while dying is closed at once rather than held by a process that is supposed to be dead.
 */
final class FakeProcess implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private volatile boolean dead;

    FakeProcess(int port) throws IOException {
        server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptUntilDead, "fake-process-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private void acceptUntilDead() {
        try {
            while (true) {
                Socket s = server.accept();
                accepted.add(s);
                if (dead) {
                    closeAll();
                }
            }
        } catch (IOException closed) {
            // the process died
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Whether anything has connected to it yet (the probe found it). */
    boolean wasReached() {
        return !accepted.isEmpty();
    }

    int acceptedCount() {
        return accepted.size();
    }

    /** The connections drop but the process still listens (a paused or busy process still accepts). */
    void dropConnections() {
        closeAll();
    }

    /** The process dies: nothing listens any more and its connections close. */
    void die() {
        dead = true;
        try {
            server.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        closeAll();
    }

    private void closeAll() {
        for (Socket s : accepted) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a socket of a dead process: nothing to do
            }
        }
    }

    @Override
    public void close() {
        die();
    }
}
