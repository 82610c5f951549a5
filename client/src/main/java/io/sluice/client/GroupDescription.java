package io.sluice.client;

import java.util.List;

/**
 * A consumer group as its coordinator sees it: state, generation, assignor and members. Immutable.
 *
 * @param coordinator the coordinator's address, {@code host:port}
 */
public record GroupDescription(String groupId, String state, int generation, String assignor,
                               List<GroupMemberInfo> members, String coordinator) {
    public GroupDescription {
        members = List.copyOf(members);
    }
}
