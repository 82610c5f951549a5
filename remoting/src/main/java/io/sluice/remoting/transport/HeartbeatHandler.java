package io.sluice.remoting.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.remoting.RateLimitedLog;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Keeps connections alive and gives up on dead peers, from the time of the last byte read ({@link ReadActivity} at
 * the head of the pipeline) and the number of answers owed on the connection. Slow is not dead: a connection is never
 * closed while bytes arrive, nor for being quiet while answers are owed on it.
 *
 * <ul>
 *   <li>A client pings ({@link ApiKey#HEARTBEAT}, request id {@value #PING_REQUEST_ID}) whenever it has heard
 *       nothing for a heartbeat interval, and swallows the answers to its pings.</li>
 *   <li>A server answers every heartbeat request itself, ahead of the dispatcher and its in-flight limit.</li>
 *   <li>A client closes a connection ({@value #SILENT}) only while it awaits no answers on it and its
 *       {@link FailureDetector} (timeout or phi accrual, {@link TransportConfig#livenessDetector()}) finds the
 *       silence fatal. With answers awaited, each request's own timeout rules: a fatal silence only <i>retires</i>
 *       the connection (see {@link ClientConnection}: no new requests, closed once nothing is awaited).</li>
 *   <li>A server closes a connection ({@value #IDLE}) only while it owes no answers on it (no request in flight:
 *       parked fetches, slow admin calls keep it) and has heard nothing for
 *       {@link TransportConfig#connectionsMaxIdleMs()}.</li>
 * </ul>
 * Checks run each heartbeat interval on the channel's event loop. A check that itself ran more than an interval
 * late means this process was not running (CPU starvation, a GC pause, SIGSTOP): the silence may be its own, so no
 * verdict is given until the peer has had another interval to be heard. Each close is counted in
 * {@code sluice.transport.connections.closed} with its reason and logged in one line (rate limited).
 *
 * <p>Stateful: one instance per channel, used on its I/O thread only.
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter implements Runnable {
    /** Request id of the transport's own pings; real requests use ids from 1. */
    static final long PING_REQUEST_ID = 0;
    /** Close reason: a client heard nothing for too long (by its detector) while awaiting no answers. */
    static final String SILENT = "silent";
    /** Close reason: a server heard nothing for connections.max.idle.ms while owing no answers. */
    static final String IDLE = "idle";

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHandler.class);
    private static final OutboundFrame PING = new OutboundFrame(0, ApiKey.HEARTBEAT.id(), PING_REQUEST_ID, null, null);
    private static final RateLimitedLog EVENTS = RateLimitedLog.of(LOG);

    private final boolean client;
    private final TransportConfig config;
    private final long intervalNs;
    private final ReadActivity activity;
    private final IntSupplier owed;
    private final TransportMetrics metrics;
    private ChannelHandlerContext ctx;
    private Consumer<String> onSuspicion;
    private FailureDetector detector;
    private ScheduledFuture<?> check;
    private long checkDueNs;
    private long fedReadNs;
    private long noVerdictBeforeNs;
    private boolean suspected;
    private boolean closing;

    /**
     * {@code client}: pings and judges with the configured detector; otherwise answers pings and applies the idle
     * rule. {@code owed} counts the answers awaited (client) or owed (server) on the connection.
     */
    HeartbeatHandler(boolean client, TransportConfig config, ReadActivity activity, IntSupplier owed,
                     TransportMetrics metrics) {
        this.client = client;
        this.config = config;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs());
        this.activity = activity;
        this.owed = owed;
        this.metrics = metrics;
    }

    /**
     * Told (once, on the I/O thread, with the reason) when a client's detector finds the silence fatal while answers
     * are still awaited: the connection is not closed then, the listener may stop giving it new work.
     */
    void onSuspicion(Consumer<String> listener) {
        this.onSuspicion = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void start() {
        if (check != null || closing) {
            return;
        }
        long now = now();
        detector = client ? FailureDetector.create(config, now)
                : new TimeoutDetector(TimeUnit.MILLISECONDS.toNanos(config.connectionsMaxIdleMs()),
                TransportConfig.CONNECTIONS_MAX_IDLE_MS, now);
        fedReadNs = activity.lastReadNs();
        noVerdictBeforeNs = now;
        schedule(now, intervalNs);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(long now, long delayNs) {
        checkDueNs = now + delayNs;
        check = ctx.executor().schedule(this, delayNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundFrame frame && frame.apiKey() == ApiKey.HEARTBEAT) {
            if (!frame.isResponse()) {
                frame.release();
                if (!frame.isOneway()) {
                    ctx.writeAndFlush(new OutboundFrame(FrameLayout.FLAG_RESPONSE, ApiKey.HEARTBEAT.id(),
                            frame.requestId(), null, null), ctx.voidPromise());
                }
                return;
            }
            if (frame.requestId() == PING_REQUEST_ID) {
                frame.release();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The periodic check; runs on the I/O thread. */
    @Override
    public void run() {
        check = null;
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long now = now();
        if (now - checkDueNs > intervalNs) {
            // this process was not running for over an interval: hear the peer out before judging its silence
            noVerdictBeforeNs = now + intervalNs;
        }
        long silenceNs = now - activity.lastReadNs();
        if (silenceNs < intervalNs) {
            observe();
            schedule(now, intervalNs - silenceNs);
            return;
        }
        if (peerDead(now)) {
            int answers = owed.getAsInt();
            if (answers == 0) {
                close(client ? SILENT : IDLE, detector.explain(now) + ", no answers " + (client ? "awaited" : "owed"));
                return;
            }
            if (!suspected && onSuspicion != null) {
                suspected = true;
                onSuspicion.accept(detector.explain(now) + ", " + answers + " answer(s) still awaited");
                if (closing) {
                    return;
                }
            }
        }
        if (client) {
            ctx.writeAndFlush(PING, ctx.voidPromise());
        }
        schedule(now, intervalNs);
    }

    /** True if the peer's silence is fatal by this connection's detector at {@code now} (ticker time). */
    private boolean peerDead(long now) {
        observe();
        return now - noVerdictBeforeNs >= 0 && detector.isDead(now);
    }

    /** The current time on the channel's ticker, which {@link ReadActivity} uses too. */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void observe() {
        long lastRead = activity.lastReadNs();
        if (lastRead != fedReadNs) {
            fedReadNs = lastRead;
            detector.heartbeat(lastRead);
        }
    }

    /** Closes the connection for liveness, counting and logging the reason once. On the I/O thread. */
    void close(String reason, String why) {
        if (closing) {
            return;
        }
        closing = true;
        stop();
        metrics.onClosed(reason);
        log("closing", reason, why);
        ctx.close();
    }

    /** One line per liveness event, rate limited (a few per kind every 10 s, the rest counted). */
    void log(String action, String reason, String why) {
        EVENTS.warn(action + ":" + reason, "{} connection {} {} ({}): {}", action, client ? "to" : "from",
                ctx.channel().remoteAddress(), reason, why);
    }
}
