package io.sluice.remoting.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.remoting.codec.InboundFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of a connection's pipeline: hands each answer to its {@link ClientConnection} (which matches it to
 * the pending request) and tells it when the channel closes. Anything that is not an answer is dropped and
 * released. One instance per channel, used on its I/O thread.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseHandler.class);

    private ClientConnection connection;

    /** Attaches the connection; called on the I/O thread before the channel becomes active. */
    void connection(ClientConnection owner) {
        this.connection = owner;
    }

    /** Answers the client awaits on this connection (for the liveness rule); 0 before the connection attaches. */
    int awaited() {
        ClientConnection owner = connection;
        return owner == null ? 0 : owner.inFlight();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!frame.isResponse() || connection == null) {
            LOG.debug("dropping unexpected frame {} from {}", frame, ctx.channel().remoteAddress());
            frame.release();
            return;
        }
        connection.onAnswer(frame);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (connection != null) {
            connection.onClosed();
        }
        super.channelInactive(ctx);
    }
}
