package io.sluice.client;

import java.util.List;

/** One member of a consumer group: its member id, client id, the host it connects from and its partitions. */
public record GroupMemberInfo(String memberId, String clientId, String host, List<TopicPartition> assignment) {
    public GroupMemberInfo {
        assignment = List.copyOf(assignment);
    }
}
