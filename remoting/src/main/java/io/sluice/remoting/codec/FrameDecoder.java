package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.transport.FrameLayout;

/**
 * Turns one whole frame (from {@link FrameSplitter}) into an {@link InboundFrame}: checks magic and version, reads
 * the header, decodes the body with {@link MessageCodec} (request or response class of the api key, or
 * {@link ErrorResponse} for any error answer) and slices the payload (a retained slice, no copy). The body of a
 * request or response of an unknown api is left undecoded for the next handler to answer.
 *
 * <p>Violations raise a {@link FrameException}: bad magic is unanswerable; a wrong version, a request carrying the
 * error flag, a bad body length or an undecodable body of a request are answerable (UNSUPPORTED_VERSION,
 * MALFORMED_FRAME). A request of another protocol version is never read past its header: it is refused in its own
 * version (the header layout is shared), so an old client reads UNSUPPORTED_VERSION rather than a dropped
 * connection; likewise an error answer of another version (an old server refusing this process) is handed on as an
 * UNSUPPORTED_VERSION answer to the request it names. After the first violation later frames are dropped. Releases every frame buffer it is given.
 * Stateful: one per channel.
 */
public final class FrameDecoder extends ChannelInboundHandlerAdapter {
    private boolean failed;

    /** True if a frame with these flags is a request that awaits an answer. */
    public static boolean expectsAnswer(int flags) {
        return (flags & (FrameLayout.FLAG_RESPONSE | FrameLayout.FLAG_ONEWAY)) == 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        InboundFrame frame;
        try {
            if (failed) {
                return;
            }
            frame = decode(buf);
        } catch (FrameException e) {
            failed = true;
            ctx.fireExceptionCaught(e);
            return;
        } finally {
            buf.release();
        }
        ctx.fireChannelRead(frame);
    }

    /** Decodes one whole frame; {@code buf} holds exactly the frame, length field included. Indexes unchanged. */
    public static InboundFrame decode(ByteBuf buf) {
        int start = buf.readerIndex();
        int frameBytes = buf.readableBytes();
        if (frameBytes < FrameLayout.HEADER_SIZE) {
            throw FrameException.unanswerable(ErrorCode.MALFORMED_FRAME,
                    "frame of " + frameBytes + " bytes is shorter than the header");
        }
        short magic = buf.getShort(start + FrameLayout.MAGIC_OFFSET);
        if (magic != FrameLayout.MAGIC) {
            throw FrameException.unanswerable(ErrorCode.MALFORMED_FRAME,
                    "bad magic 0x" + Integer.toHexString(magic & 0xFFFF) + " (not a Sluice peer?)");
        }
        int flags = buf.getByte(start + FrameLayout.FLAGS_OFFSET) & 0xFF;
        short apiId = buf.getShort(start + FrameLayout.API_KEY_OFFSET);
        long requestId = buf.getLong(start + FrameLayout.REQUEST_ID_OFFSET);
        boolean answer = expectsAnswer(flags);
        byte version = buf.getByte(start + FrameLayout.VERSION_OFFSET);
        if (version != FrameLayout.VERSION) {
            if (answer) { // refused in the requester's own version: the header layout is shared, so it can read why
                throw FrameException.answerable(ErrorCode.UNSUPPORTED_VERSION, refusalOfVersion(version), apiId,
                        requestId, version);
            }
            if ((flags & FrameLayout.FLAG_ERROR) != 0) {
                return foreignRefusal(buf, start, frameBytes, apiId, requestId, version);
            }
            throw FrameException.unanswerable(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + version
                    + " is not supported (this process speaks version " + FrameLayout.VERSION + ")");
        }
        if ((flags & FrameLayout.FLAG_ERROR) != 0 && (flags & FrameLayout.FLAG_RESPONSE) == 0) {
            throw violation(answer, ErrorCode.MALFORMED_FRAME, "flags 0x" + Integer.toHexString(flags)
                    + " mark a request as an error answer: only responses may carry the error flag", apiId, requestId);
        }
        int bodyBytes = buf.getInt(start + FrameLayout.BODY_LENGTH_OFFSET);
        int afterHeader = frameBytes - FrameLayout.HEADER_SIZE;
        if (bodyBytes < 0 || bodyBytes > afterHeader) {
            throw violation(answer, ErrorCode.MALFORMED_FRAME, "body length " + bodyBytes + " does not fit the "
                    + afterHeader + " bytes after the header", apiId, requestId);
        }
        int bodyStart = start + FrameLayout.HEADER_SIZE;
        ApiKey apiKey = ApiKey.forId(apiId);
        Object message = null;
        Class<?> type = (flags & FrameLayout.FLAG_ERROR) != 0 ? ErrorResponse.class
                : apiKey == null ? null
                : (flags & FrameLayout.FLAG_RESPONSE) != 0 ? apiKey.responseType() : apiKey.requestType();
        if (type != null) {
            try {
                message = MessageCodec.decode(type, buf, bodyStart, bodyBytes);
            } catch (RuntimeException e) {
                throw violation(answer, ErrorCode.MALFORMED_FRAME, e.getMessage(), apiId, requestId);
            }
        }
        int payloadBytes = afterHeader - bodyBytes;
        ByteBuf payload = payloadBytes == 0 ? Unpooled.EMPTY_BUFFER
                : buf.retainedSlice(bodyStart + bodyBytes, payloadBytes);
        return new InboundFrame(flags, apiId, requestId, message, payload);
    }

    /** Why a request of protocol {@code version} is refused, and which side to upgrade. */
    static String refusalOfVersion(byte version) {
        return "the request speaks protocol version " + version + " and this server speaks version "
                + FrameLayout.VERSION + ": upgrade the " + (version < FrameLayout.VERSION ? "client" : "server");
    }

    /**
     * An error answer in another protocol version: a server of that version refusing our request (its header layout
     * is ours). Handed on as an UNSUPPORTED_VERSION answer to the request, so the caller learns why instead of
     * seeing the connection drop.
     */
    private static InboundFrame foreignRefusal(ByteBuf buf, int start, int frameBytes, short apiId, long requestId,
                                               byte version) {
        int bodyBytes = buf.getInt(start + FrameLayout.BODY_LENGTH_OFFSET);
        String said = null;
        if (bodyBytes >= 0 && bodyBytes <= frameBytes - FrameLayout.HEADER_SIZE) {
            try {
                said = MessageCodec.decode(ErrorResponse.class, buf, start + FrameLayout.HEADER_SIZE, bodyBytes)
                        .message;
            } catch (RuntimeException e) {
                said = "an undecodable error";
            }
        }
        ErrorResponse refusal = new ErrorResponse();
        refusal.code = ErrorCode.UNSUPPORTED_VERSION.id();
        refusal.message = "the server speaks protocol version " + version + " and this client speaks version "
                + FrameLayout.VERSION + ": upgrade the " + (version < FrameLayout.VERSION ? "server" : "client")
                + (said == null ? "" : " (it answered: " + said + ")");
        return new InboundFrame(FrameLayout.FLAG_RESPONSE | FrameLayout.FLAG_ERROR, apiId, requestId, refusal, null);
    }

    private static FrameException violation(boolean answerable, ErrorCode code, String message, short apiId,
                                            long requestId) {
        return answerable ? FrameException.answerable(code, message, apiId, requestId)
                : FrameException.unanswerable(code, message);
    }
}
