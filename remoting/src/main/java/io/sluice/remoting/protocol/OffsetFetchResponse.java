package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** Committed offsets; partitions with no committed offset are absent. */
public final class OffsetFetchResponse {
    @Tag(1)
    public List<CommittedOffset> offsets;

    public OffsetFetchResponse() {
    }
}
