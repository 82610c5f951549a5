package io.sluice.remoting.codec;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.FrameLayout;

/**
 * A frame that breaks the protocol (bad magic or version, bad or oversize length, undecodable body). The connection
 * that sent it is closed; when the header was readable, {@link #answerable()} is true and the sender of a request
 * is first told why, in an error answer to {@link #requestId()}.
 */
public final class FrameException extends SluiceException {
    private final boolean answerable;
    private final short apiId;
    private final long requestId;
    private final byte version;

    private FrameException(ErrorCode code, String message, boolean answerable, short apiId, long requestId,
                           byte version) {
        super(code, message);
        this.answerable = answerable;
        this.apiId = apiId;
        this.requestId = requestId;
        this.version = version;
    }

    /** A violation found before a request id could be read: the connection is closed without an answer. */
    public static FrameException unanswerable(ErrorCode code, String message) {
        return new FrameException(code, message, false, (short) -1, -1, FrameLayout.VERSION);
    }

    /** A violation in a frame whose header names the request: answered with {@code code}, then closed. */
    public static FrameException answerable(ErrorCode code, String message, short apiId, long requestId) {
        return answerable(code, message, apiId, requestId, FrameLayout.VERSION);
    }

    /**
     * As {@link #answerable(ErrorCode, String, short, long)}, answered in protocol {@code version}: the requester's
     * own, so that a peer speaking another version (the header layout is shared) can read why it was refused.
     */
    public static FrameException answerable(ErrorCode code, String message, short apiId, long requestId,
                                            byte version) {
        return new FrameException(code, message, true, apiId, requestId, version);
    }

    public boolean answerable() {
        return answerable;
    }

    public short apiId() {
        return apiId;
    }

    public long requestId() {
        return requestId;
    }

    /** The protocol version to answer in (the requester's). */
    public byte version() {
        return version;
    }
}
