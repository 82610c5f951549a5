package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.FrameLayout;
import io.sluice.remoting.transport.TransportConfig;

/**
 * Writes {@link OutboundFrame}s as Sluice frames ({@link FrameLayout}). The header and body go into one small
 * buffer; a large payload is not copied but chained after it in a composite buffer (gathering write). A frame larger
 * than {@code maxFrameBytes} is refused: its write fails with {@link ErrorCode#FRAME_TOO_LARGE} and nothing is sent.
 *
 * <p>Owns the payload of every frame it is given: it is released once written or when the write fails.
 * Other messages pass through untouched. Stateless and {@link Sharable}.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends ChannelOutboundHandlerAdapter {
    /** Payloads up to this size are copied next to the header: cheaper than a composite of two buffers. */
    private static final int COPY_THRESHOLD = 512;
    private static final int HEADER_ESTIMATE = 128;

    private final int maxFrameBytes;

    public FrameEncoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof OutboundFrame frame)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf payload = frame.payload();
        int payloadBytes = payload == null ? 0 : payload.readableBytes();
        boolean copyPayload = payloadBytes <= COPY_THRESHOLD;
        ByteBuf out = null;
        try {
            out = ctx.alloc().ioBuffer(HEADER_ESTIMATE + (copyPayload ? payloadBytes : 0));
            writeHeaderAndBody(frame, out);
            long frameBytes = (long) out.readableBytes() + payloadBytes;
            if (frameBytes > maxFrameBytes) {
                throw new SluiceException(ErrorCode.FRAME_TOO_LARGE, "frame of " + frameBytes
                        + " bytes exceeds " + TransportConfig.MAX_FRAME_BYTES + "=" + maxFrameBytes);
            }
            out.setInt(0, (int) frameBytes - FrameLayout.LENGTH_FIELD_SIZE);
            ByteBuf wire;
            if (payloadBytes == 0) {
                wire = out;
            } else if (copyPayload) {
                out.writeBytes(payload, payload.readerIndex(), payloadBytes);
                wire = out;
            } else {
                CompositeByteBuf composite = ctx.alloc().compositeDirectBuffer(2);
                composite.addComponents(true, out, payload.retain());
                wire = composite;
            }
            out = null;
            ctx.write(wire, promise);
        } catch (Throwable t) {
            promise.tryFailure(t);
        } finally {
            if (out != null) {
                out.release();
            }
            if (payload != null) {
                payload.release();
            }
        }
    }

    private static void writeHeaderAndBody(OutboundFrame frame, ByteBuf out) {
        out.writeInt(0);
        out.writeShort(FrameLayout.MAGIC);
        out.writeByte(frame.version());
        out.writeByte(frame.flags());
        out.writeShort(frame.apiId());
        out.writeLong(frame.requestId());
        out.writeInt(0);
        int bodyBytes = MessageCodec.encode(frame.message(), out);
        out.setInt(FrameLayout.BODY_LENGTH_OFFSET, bodyBytes);
    }
}
