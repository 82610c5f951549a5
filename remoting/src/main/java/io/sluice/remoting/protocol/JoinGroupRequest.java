package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/**
 * Join (or re-join) a consumer group at its coordinator. A new member sends an empty {@code memberId} and gets
 * one assigned. The coordinator parks the request until the rebalance completes: every known member has re-joined
 * or {@code rebalanceTimeoutMs} passed. The assignment is computed by the coordinator with {@code assignor}.
 */
public final class JoinGroupRequest {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public String memberId;
    @Tag(3)
    public String clientId;
    @Tag(4)
    public List<String> topics;
    @Tag(5)
    public int sessionTimeoutMs;
    @Tag(6)
    public int rebalanceTimeoutMs;
    @Tag(7)
    public String assignor;
    /**
     * Static membership: a stable id of this consumer instance (or empty). A member that re-joins under the same
     * instance id within its session timeout takes its old place and partitions without a rebalance.
     */
    @Tag(8)
    public String groupInstanceId;
    /**
     * The assignment strategies this member supports, most preferred first (e.g. {@code cooperative-sticky},
     * {@code range}); when empty, {@code assignor} alone. The group uses a strategy every member supports (the
     * oldest member's first choice among them); a member sharing none with the group gets INCONSISTENT_GROUP_PROTOCOL.
     */
    @Tag(9)
    public List<String> assignors;
    /**
     * The partitions this member still owns and keeps consuming while it re-joins (cooperative rebalancing; empty for
     * a member that revoked everything first). The coordinator never hands an owned partition to another member in
     * the same generation: it is withheld until its owner has revoked it and re-joined.
     */
    @Tag(10)
    public List<GroupPartitions> owned;
    /** The generation in which this member got {@code owned}: when two members claim a partition, the newer wins. */
    @Tag(11)
    public int ownedGeneration;

    public JoinGroupRequest() {
    }
}
