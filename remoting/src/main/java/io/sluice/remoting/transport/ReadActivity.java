package io.sluice.remoting.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Notes when bytes were last read from the socket: any byte is a sign of life, even part of a frame that is still
 * arriving. Sits at the head of the pipeline and passes everything on untouched. Reads are counted per buffer and
 * the time is taken once per read loop (at read-complete), on the executor's ticker, so {@link #lastReadNs()} is
 * comparable with {@code ctx.executor().ticker().nanoTime()}. The connection's opening counts as the first sign of
 * life. One instance per channel; used on its I/O thread only.
 */
final class ReadActivity extends ChannelInboundHandlerAdapter {
    private long reads;
    private long readsTimed;
    private long lastReadNs;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastReadNs = ctx.executor().ticker().nanoTime();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lastReadNs = ctx.executor().ticker().nanoTime();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reads++;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reads != readsTimed) {
            readsTimed = reads;
            lastReadNs = ctx.executor().ticker().nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    /** The ticker time of the last read loop that read something (or of the opening). */
    long lastReadNs() {
        return lastReadNs;
    }

    /** How many buffers were read so far: a request that saw this number change heard from its peer. */
    long reads() {
        return reads;
    }
}
