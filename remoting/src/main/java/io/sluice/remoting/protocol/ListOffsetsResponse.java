package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** The offset found, with the timestamp of that record (-1 for LATEST/EARLIEST or when no record is at or after the timestamp, in which case offset is the log end). */
public final class ListOffsetsResponse {
    @Tag(1)
    public long offset;
    @Tag(2)
    public long timestamp;

    public ListOffsetsResponse() {
    }
}
