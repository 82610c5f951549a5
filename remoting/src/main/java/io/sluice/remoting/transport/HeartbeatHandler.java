package io.sluice.remoting.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps connections alive and detects dead peers, driven by the reader-idle events of an {@link IdleStateHandler}
 * placed at the head of the pipeline (so any byte read counts as a sign of life) with the heartbeat interval.
 *
 * <ul>
 *   <li>A client pings ({@link ApiKey#HEARTBEAT}, request id {@value #PING_REQUEST_ID}) each interval in which it
 *       read nothing, and swallows the answers to its pings.</li>
 *   <li>A server answers every heartbeat request itself, ahead of the dispatcher and its in-flight limit.</li>
 *   <li>Either side closes a connection it has heard nothing from for {@code misses} intervals in a row.</li>
 * </ul>
 * Stateful (counts silent intervals): one instance per channel, used on its I/O thread only.
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {
    /** Request id of the transport's own pings; real requests use ids from 1. */
    static final long PING_REQUEST_ID = 0;

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHandler.class);
    private static final OutboundFrame PING = new OutboundFrame(0, ApiKey.HEARTBEAT.id(), PING_REQUEST_ID, null, null);

    private final boolean pings;
    private final int misses;
    private final long intervalMs;
    private int silentIntervals;

    HeartbeatHandler(boolean pings, TransportConfig config) {
        this.pings = pings;
        this.misses = config.heartbeatMisses();
        this.intervalMs = config.heartbeatIntervalMs();
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

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent idle) || idle.state() != IdleState.READER_IDLE) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        silentIntervals = idle.isFirst() ? 1 : silentIntervals + 1;
        LOG.trace("{} silent for {} interval(s)", ctx.channel(), silentIntervals);
        if (silentIntervals >= misses) {
            LOG.warn("closing connection {}: nothing heard for {} ms ({} heartbeat intervals)",
                    ctx.channel().remoteAddress(), silentIntervals * intervalMs, silentIntervals);
            ctx.close();
        } else if (pings) {
            ctx.writeAndFlush(PING, ctx.voidPromise());
        }
    }
}
