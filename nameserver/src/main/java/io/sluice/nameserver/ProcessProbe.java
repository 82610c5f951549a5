package io.sluice.nameserver;

import io.netty.channel.ConnectTimeoutException;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Finds out that the process listening at one address is gone, long before any registry session would tell. It
 * keeps one idle remoting connection to the address (the transport pings it while idle); when that connection
 * closes it connects again at once:
 * <ul>
 *   <li><b>refused</b> ({@value #REFUSALS_TO_CONVICT} times in a row, {@value #REFUSED_RETRY_MS} ms apart): nothing
 *       listens at the address any more. A Sluice server listens from before it registers (or competes for the
 *       controller) until after it unregisters (or resigns), so its process is gone, and a dead process
 *       acknowledges nothing. {@code onGone} runs once and the probe stops.</li>
 *   <li><b>accepted</b>: the process is there (a full listen queue or a paused JVM still accepts): nothing
 *       happens.</li>
 *   <li><b>timed out or any other failure</b>: no proof either way (a slow, frozen or unreachable host): the probe
 *       keeps trying every {@value #UNSURE_RETRY_MS} ms and never convicts.</li>
 * </ul>
 * Only an address this probe has once reached can be found gone, so a wrong or unreachable address, or a process
 * that died before the probe started, is never convicted.
 *
 * <p>What it assumes: a refusal comes from the peer's host, as on loopback or a LAN without REJECT firewalls in
 * between, and the host does not refuse for a full listen queue ({@code net.ipv4.tcp_abort_on_overflow=0},
 * Linux's default).
 *
 * <p>Thread-safe: connection events arrive on I/O threads, retries run on the timer; state is guarded by this
 * object, and {@code onGone} runs outside the lock.
 */
final class ProcessProbe {
    private static final Logger log = LoggerFactory.getLogger(ProcessProbe.class);
    static final int REFUSALS_TO_CONVICT = 2;
    static final long REFUSED_RETRY_MS = 50;
    static final long UNSURE_RETRY_MS = 1_000;

    private final RemotingClient client;
    private final ScheduledExecutorService timer;
    private final InetSocketAddress address;
    private final String what;
    private final Runnable onGone;
    private boolean reached;
    private int refusals;
    private boolean stopped;
    private Connection connection;

    /**
     * A probe of {@code address} ({@code what} names the process in logs); {@code onGone} runs on an I/O or timer
     * thread once the process is found gone and must not block. Call {@link #start()}.
     */
    ProcessProbe(RemotingClient client, ScheduledExecutorService timer, InetSocketAddress address, String what,
                 Runnable onGone) {
        this.client = client;
        this.timer = timer;
        this.address = address;
        this.what = what;
        this.onGone = onGone;
    }

    InetSocketAddress address() {
        return address;
    }

    /** Opens the idle connection. */
    void start() {
        client.connect(address).whenComplete(this::onConnect);
    }

    /**
     * Stops probing and closes the connection. A verdict reached just before may still be delivered: {@code onGone}
     * callers check their own state.
     */
    void stop() {
        Connection open;
        synchronized (this) {
            stopped = true;
            open = connection;
            connection = null;
        }
        if (open != null) {
            open.close();
        }
    }

    /** True once the address accepted a connection. */
    synchronized boolean reached() {
        return reached;
    }

    private void onConnect(Connection opened, Throwable error) {
        boolean gone = false;
        synchronized (this) {
            if (stopped) {
                if (opened != null) {
                    opened.close();
                }
                return;
            }
            if (error == null) {
                if (refusals > 0 || !reached) {
                    log.debug("Watching {}", what);
                }
                reached = true;
                refusals = 0;
                connection = opened;
                opened.closeFuture().whenComplete((v, e) -> onClosed());
                return;
            }
            boolean refused = refused(error);
            if (refused && reached) {
                refusals++;
                gone = refusals >= REFUSALS_TO_CONVICT;
                stopped = gone;
            } else {
                refusals = 0;
            }
            if (!gone) {
                retry(refused && reached ? REFUSED_RETRY_MS : UNSURE_RETRY_MS);
            }
        }
        if (gone) {
            onGone.run();
        }
    }

    private void onClosed() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            connection = null;
        }
        log.debug("Connection to {} closed; checking whether it is still there", what);
        start();
    }

    private void retry(long delayMs) {
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                }
                start();
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** A connection refused by the peer's host: nothing listens there. Not a timeout or unreachable network. */
    static boolean refused(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException && !(t instanceof ConnectTimeoutException)
                    && t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("refused")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return what;
    }
}
