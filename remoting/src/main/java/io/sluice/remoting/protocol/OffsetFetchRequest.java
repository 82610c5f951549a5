package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** The committed offsets of a group for the given topics (all topics when empty). */
public final class OffsetFetchRequest {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public List<String> topics;

    public OffsetFetchRequest() {
    }
}
