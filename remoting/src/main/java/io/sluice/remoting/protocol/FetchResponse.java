package io.sluice.remoting.protocol;

import io.protostuff.Tag;

import java.util.List;

/**
 * Answer to a {@link FetchRequest}: one entry per partition answered, and a payload that is the concatenation, in
 * entry order, of each entry's {@link FetchedPartition#recordsBytes} bytes of whole record batches (as stored, never
 * re-encoded). A full fetch answers every partition; an incremental one only those with records, an error, or a
 * high watermark or log start that changed since the session last told them. An error of the whole request (such
 * as an unknown session) is an error answer instead, with its own code.
 */
public final class FetchResponse {
    /** the session the next incremental fetch may use, 0 for none */
    @Tag(1)
    public int sessionId;
    @Tag(2)
    public List<FetchedPartition> partitions;

    public FetchResponse() {
    }
}
