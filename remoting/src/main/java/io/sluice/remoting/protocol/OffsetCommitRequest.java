package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/**
 * Commits offsets for a group. A member sends its id and generation: a stale generation is refused with
 * ILLEGAL_GENERATION, an unknown member with UNKNOWN_MEMBER. A commit with an empty member id and generation -1
 * (a consumer that assigns partitions itself, or an admin reset) is accepted only while the group has no members
 * (else GROUP_NOT_EMPTY). All offsets are written together, in one record batch, or none.
 */
public final class OffsetCommitRequest {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public String memberId;
    @Tag(3)
    public int generation;
    @Tag(4)
    public List<CommittedOffset> offsets;

    public OffsetCommitRequest() {
    }
}
