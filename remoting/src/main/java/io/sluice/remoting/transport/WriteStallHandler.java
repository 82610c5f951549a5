package io.sluice.remoting.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.remoting.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Closes a server connection whose waiting answers have not moved for {@link TransportConfig#writeTimeoutMs()}: the
 * peer reads nothing, so what it asked for is of no use to it and only holds memory (a connection with nothing to
 * write is left alone, however quiet). An {@link IdleStateHandler} on writes that observes output, so a large
 * answer going out slowly counts as progress. Logs one line per connection (rate limited) and counts it in
 * {@code sluice.transport.connections.closed{reason="write_stalled"}}. One per channel, near the head of the
 * pipeline.
 */
final class WriteStallHandler extends IdleStateHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WriteStallHandler.class);
    private static final RateLimitedLog STALLS = RateLimitedLog.of(LOG);

    private final long writeTimeoutMs;
    private final TransportMetrics metrics;

    WriteStallHandler(long writeTimeoutMs, TransportMetrics metrics) {
        super(true, 0, writeTimeoutMs, 0, TimeUnit.MILLISECONDS);
        this.writeTimeoutMs = writeTimeoutMs;
        this.metrics = metrics;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        long waiting = out == null ? 0 : out.totalPendingWriteBytes();
        if (evt.state() != IdleState.WRITER_IDLE || waiting == 0) {
            return;
        }
        metrics.onClosed("write_stalled");
        STALLS.warn("write-stalled", "closing connection from {}: {} bytes of answers not taken for {} ms ({})",
                ctx.channel().remoteAddress(), waiting, writeTimeoutMs, TransportConfig.WRITE_TIMEOUT_MS);
        ctx.close();
    }
}
