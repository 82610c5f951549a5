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

    public JoinGroupRequest() {
    }
}
