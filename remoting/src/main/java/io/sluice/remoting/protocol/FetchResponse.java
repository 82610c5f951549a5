package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Answer to a fetch: the payload holds zero or more whole record batches, in offset order. */
public final class FetchResponse {
    @Tag(1)
    public long highWatermark;
    @Tag(2)
    public long logStartOffset;
    @Tag(3)
    public long logEndOffset;
    @Tag(4)
    public int leaderEpoch;

    public FetchResponse() {
    }
}
