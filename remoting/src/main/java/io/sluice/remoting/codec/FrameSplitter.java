package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.transport.FrameLayout;
import io.sluice.remoting.transport.TransportConfig;

/**
 * Cuts the byte stream into whole frames by their 4-byte length field (a {@link LengthFieldBasedFrameDecoder}; each
 * frame is passed on as a retained slice, not a copy).
 *
 * <p>Refuses, before anything of the frame is buffered: a negative length, a length shorter than the frame header,
 * and a frame longer than {@code maxFrameBytes}. An oversize frame whose header shows a valid request is answered
 * {@link ErrorCode#FRAME_TOO_LARGE} (see {@link FrameException}); at most one header's worth of bytes is held to
 * find that out. After the first violation the rest of the input is discarded (the connection is being closed).
 *
 * <p>Stateful: one instance per channel, not sharable.
 */
public final class FrameSplitter extends LengthFieldBasedFrameDecoder {
    private final int maxFrameBytes;
    private boolean failed;

    public FrameSplitter(int maxFrameBytes) {
        super(maxFrameBytes, 0, FrameLayout.LENGTH_FIELD_SIZE, 0, 0, true);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() < FrameLayout.LENGTH_FIELD_SIZE) {
            return null;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < FrameLayout.HEADER_SIZE - FrameLayout.LENGTH_FIELD_SIZE) {
            throw fail(in, FrameException.unanswerable(ErrorCode.MALFORMED_FRAME, "frame length " + length
                    + " is " + (length < 0 ? "negative" : "shorter than the frame header")));
        }
        if ((long) length + FrameLayout.LENGTH_FIELD_SIZE > maxFrameBytes) {
            if (in.readableBytes() < FrameLayout.HEADER_SIZE) {
                return null; // wait for the header (bounded) to learn which request to refuse
            }
            String message = "frame of " + ((long) length + FrameLayout.LENGTH_FIELD_SIZE) + " bytes exceeds "
                    + TransportConfig.MAX_FRAME_BYTES + "=" + maxFrameBytes;
            if (in.getShort(start + FrameLayout.MAGIC_OFFSET) == FrameLayout.MAGIC
                    && in.getByte(start + FrameLayout.VERSION_OFFSET) == FrameLayout.VERSION
                    && FrameDecoder.expectsAnswer(in.getByte(start + FrameLayout.FLAGS_OFFSET))) {
                throw fail(in, FrameException.answerable(ErrorCode.FRAME_TOO_LARGE, message,
                        in.getShort(start + FrameLayout.API_KEY_OFFSET),
                        in.getLong(start + FrameLayout.REQUEST_ID_OFFSET)));
            }
            throw fail(in, FrameException.unanswerable(ErrorCode.FRAME_TOO_LARGE, message));
        }
        return super.decode(ctx, in);
    }

    private FrameException fail(ByteBuf in, FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return e;
    }
}
