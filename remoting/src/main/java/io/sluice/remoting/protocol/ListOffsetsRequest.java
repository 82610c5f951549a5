package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Find an offset by timestamp: {@link #LATEST} (-1) is the log end, {@link #EARLIEST} (-2) the log start, otherwise the first offset whose timestamp is at or after it. */
public final class ListOffsetsRequest {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    @Tag(3)
    public long timestamp;

    public static final long LATEST = -1L;
    public static final long EARLIEST = -2L;

    public ListOffsetsRequest() {
    }
}
