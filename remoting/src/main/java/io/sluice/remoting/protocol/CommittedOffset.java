package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** The committed position (the next offset to read) of one partition for a group, with when it was committed. */
public final class CommittedOffset {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    @Tag(3)
    public long offset;
    @Tag(4)
    public long commitTimeMs;

    public CommittedOffset() {
    }
}
