package io.sluice.remoting.transport;

/**
 * The frame format of the Sluice protocol. Every message on a connection is one frame:
 *
 * <pre>
 * offset size field
 *  0     4    frameLength    bytes after this field (header + body + payload); at most maxFrameBytes - 4
 *  4     2    magic          {@value #MAGIC}
 *  6     1    version        {@value #VERSION}
 *  7     1    flags          bit 0 response, bit 1 error (body is ErrorResponse), bit 2 oneway
 *  8     2    apiKey         {@link io.sluice.remoting.protocol.ApiKey} id
 * 10     8    requestId      chosen by the sender of the request, echoed by the response
 * 18     4    bodyLength     length of the protostuff-encoded body
 * 22     ..   body           the request or response message ({@code ApiKey} names its class)
 * ..     ..   payload        the rest of the frame: raw bytes (record batches, RPC arguments), may be empty
 * </pre>
 * Big-endian throughout. The header layout is the same in versions 1 and 2; only the messages differ.
 */
public final class FrameLayout {
    public static final short MAGIC = (short) 0x51CE;
    /**
     * The protocol version this process speaks. Version 2 carries many partitions per PRODUCE request; a frame of
     * any other version is refused with UNSUPPORTED_VERSION, answered in the requester's own version (the header
     * layout is the same in every version so far, so an old peer can read the refusal).
     */
    public static final byte VERSION = 2;

    public static final int LENGTH_FIELD_SIZE = 4;
    public static final int MAGIC_OFFSET = 4;
    public static final int VERSION_OFFSET = 6;
    public static final int FLAGS_OFFSET = 7;
    public static final int API_KEY_OFFSET = 8;
    public static final int REQUEST_ID_OFFSET = 10;
    public static final int BODY_LENGTH_OFFSET = 18;
    /** Size of the header, length field included. */
    public static final int HEADER_SIZE = 22;

    public static final int FLAG_RESPONSE = 1;
    public static final int FLAG_ERROR = 1 << 1;
    public static final int FLAG_ONEWAY = 1 << 2;

    private FrameLayout() {
    }
}
