package io.sluice.remoting.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.sluice.remoting.RateLimitedLog;
import io.sluice.remoting.codec.FrameException;
import io.sluice.remoting.codec.OutboundFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The last handler of every pipeline: turns an exception that reached the end of the pipeline into closing that
 * connection (and only that one). A protocol violation ({@link FrameException}) is logged in one WARN line with the
 * remote address (rate limited: a peer can send them at wire speed) and, when its header named a request, answered
 * with the error before the close. Socket errors (peer reset) are logged at DEBUG; anything else with its stack
 * trace, rate limited too. Stateless and {@link Sharable}.
 */
@ChannelHandler.Sharable
final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrorHandler.class);
    private static final RateLimitedLog CLOSES = RateLimitedLog.of(LOG);

    /** Why the connection was closed for a protocol violation, for the requests it fails to report. */
    static final AttributeKey<String> CLOSED_BECAUSE = AttributeKey.valueOf("sluice.closedBecause");

    private final TransportMetrics metrics;

    ProtocolErrorHandler(TransportMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        FrameException violation = findViolation(cause);
        if (violation != null) {
            metrics.onError(violation.code());
            ctx.channel().attr(CLOSED_BECAUSE).set(violation.getMessage() + " (" + violation.code() + ")");
            CLOSES.warn(violation.code().name(), "closing connection from {}: {} ({})", ctx.channel().remoteAddress(),
                    violation.getMessage(), violation.code());
            if (violation.answerable() && ctx.channel().isActive()) {
                // in the requester's protocol version, so that a peer of another version can read the refusal
                ctx.writeAndFlush(OutboundFrame.error(violation.apiId(), violation.requestId(),
                        violation.code().id(), violation.getMessage(), violation.version()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        } else if (cause instanceof IOException) {
            LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            CLOSES.warn("unexpected", "closing connection {} after an unexpected error", ctx.channel().remoteAddress(),
                    cause);
            ctx.close();
        }
    }

    private static FrameException findViolation(Throwable cause) {
        Throwable cur = cause;
        for (int depth = 0; cur != null && depth < 8; depth++, cur = cur.getCause()) {
            if (cur instanceof FrameException fe) {
                return fe;
            }
        }
        return null;
    }
}
