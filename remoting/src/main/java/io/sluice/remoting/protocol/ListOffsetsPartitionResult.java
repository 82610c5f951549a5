package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** The offset found in one partition of a {@link ListOffsetsRequest}, or why none was ({@link #errorCode} not 0). */
public final class ListOffsetsPartitionResult {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** {@link io.sluice.remoting.ErrorCode} id; 0 when {@link #offset} holds the answer */
    @Tag(3)
    public short errorCode;
    /** what went wrong, for a person; null on success */
    @Tag(4)
    public String errorMessage;
    /** the offset found; for a timestamp no record reaches, the end a consumer may read to; -1 on error */
    @Tag(5)
    public long offset = -1;
    /** the timestamp asked for when a record at or after it was found, else -1 */
    @Tag(6)
    public long timestamp = -1;

    public ListOffsetsPartitionResult() {
    }
}
