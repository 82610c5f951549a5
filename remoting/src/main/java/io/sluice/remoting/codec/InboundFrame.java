package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.transport.FrameLayout;

/**
 * One decoded frame as it comes off the wire (layout in {@link FrameLayout}): header fields, the decoded body and
 * the payload as a retained slice of the received frame.
 *
 * <p>Ownership: the frame owns its payload; whoever consumes the frame calls {@link #release()} (in a finally) or
 * hands the payload on with {@link #takePayload()}. Not thread-safe.
 */
public final class InboundFrame implements ReferenceCounted {
    private final int flags;
    private final short apiId;
    private final ApiKey apiKey;
    private final long requestId;
    private final Object message;
    private ByteBuf payload;

    public InboundFrame(int flags, short apiId, long requestId, Object message, ByteBuf payload) {
        this.flags = flags;
        this.apiId = apiId;
        this.apiKey = ApiKey.forId(apiId);
        this.requestId = requestId;
        this.message = message;
        this.payload = payload == null ? Unpooled.EMPTY_BUFFER : payload;
    }

    public int flags() {
        return flags;
    }

    public boolean isResponse() {
        return (flags & FrameLayout.FLAG_RESPONSE) != 0;
    }

    public boolean isError() {
        return (flags & FrameLayout.FLAG_ERROR) != 0;
    }

    public boolean isOneway() {
        return (flags & FrameLayout.FLAG_ONEWAY) != 0;
    }

    /** The api id as sent. */
    public short apiId() {
        return apiId;
    }

    /** The api of the frame, or null if this version does not know {@link #apiId()}. */
    public ApiKey apiKey() {
        return apiKey;
    }

    public long requestId() {
        return requestId;
    }

    /**
     * The decoded body: the request or response class named by the api key, an {@link ErrorResponse} for an error
     * answer, or null when the api is unknown (the body is then not decoded).
     */
    @SuppressWarnings("unchecked")
    public <T> T message() {
        return (T) message;
    }

    /** The payload (empty if none); still owned by this frame. */
    public ByteBuf payload() {
        return payload;
    }

    /** Hands the payload to the caller, who must release it; the frame then holds an empty payload. */
    public ByteBuf takePayload() {
        ByteBuf taken = payload;
        payload = Unpooled.EMPTY_BUFFER;
        return taken;
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public InboundFrame retain() {
        payload.retain();
        return this;
    }

    @Override
    public InboundFrame retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public InboundFrame touch() {
        payload.touch();
        return this;
    }

    @Override
    public InboundFrame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }

    @Override
    public String toString() {
        return "InboundFrame{api=" + apiId + ", requestId=" + requestId + ", flags=" + flags + ", payload="
                + payload.readableBytes() + "B}";
    }
}
