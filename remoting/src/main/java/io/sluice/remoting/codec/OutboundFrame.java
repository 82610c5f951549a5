package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.transport.FrameLayout;

/**
 * A frame to write: header fields, the message to encode as the body, and an optional payload. Written through
 * {@link FrameEncoder}, which takes ownership of the payload (released once written or on failure).
 * Immutable; not reference-counted itself.
 */
public final class OutboundFrame {
    private final int flags;
    private final short apiId;
    private final long requestId;
    private final Object message;
    private final ByteBuf payload;
    private final byte version;

    public OutboundFrame(int flags, short apiId, long requestId, Object message, ByteBuf payload) {
        this(flags, apiId, requestId, message, payload, FrameLayout.VERSION);
    }

    /** A frame in protocol {@code version} (only to refuse a peer in its own version; see {@link FrameLayout}). */
    public OutboundFrame(int flags, short apiId, long requestId, Object message, ByteBuf payload, byte version) {
        this.version = version;
        this.flags = flags;
        this.apiId = apiId;
        this.requestId = requestId;
        this.message = message;
        this.payload = payload;
    }

    /** An error answer to request {@code requestId}: FLAG_RESPONSE|FLAG_ERROR with an {@link ErrorResponse} body. */
    public static OutboundFrame error(short apiId, long requestId, short code, String text) {
        return error(apiId, requestId, code, text, FrameLayout.VERSION);
    }

    /** An error answer written in protocol {@code version} (the requester's, when it speaks another one). */
    public static OutboundFrame error(short apiId, long requestId, short code, String text, byte version) {
        ErrorResponse body = new ErrorResponse();
        body.code = code;
        body.message = text;
        return new OutboundFrame(FrameLayout.FLAG_RESPONSE | FrameLayout.FLAG_ERROR, apiId, requestId, body, null,
                version);
    }

    /** The protocol version written in the header. */
    public byte version() {
        return version;
    }

    public int flags() {
        return flags;
    }

    public short apiId() {
        return apiId;
    }

    public long requestId() {
        return requestId;
    }

    public Object message() {
        return message;
    }

    /** The payload, may be null. */
    public ByteBuf payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "OutboundFrame{api=" + apiId + ", requestId=" + requestId + ", flags=" + flags + "}";
    }
}
