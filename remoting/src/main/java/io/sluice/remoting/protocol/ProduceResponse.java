package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Where a produced batch landed. */
public final class ProduceResponse {
    /** offset of the first record of the batch */
    @Tag(1)
    public long baseOffset;
    /** broker time of the append */
    @Tag(2)
    public long logAppendTimeMs;
    @Tag(3)
    public long logStartOffset;

    public ProduceResponse() {
    }
}
