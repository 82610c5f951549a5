package io.sluice.broker.group;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The expiry rule with a manual clock: both the commit and the group's last member must be older than retention. */
class OffsetExpirerTest {
    private static final long DAY = 86_400_000L;

    @Test
    void anOffsetExpiresOnlyWhenItsCommitAndTheGroupsLastMemberAreBothOlderThanTheRetention() {
        Map<TopicPart, long[]> offsets = new TreeMap<>();
        offsets.put(new TopicPart("t", 0), new long[] {10, 0, 1});
        offsets.put(new TopicPart("t", 1), new long[] {20, 5 * DAY, 2});
        long retention = 7 * DAY;

        assertThat(OffsetExpirer.expired(offsets, 0, 7 * DAY, retention)).as("exactly at the retention").isEmpty();
        assertThat(OffsetExpirer.expired(offsets, 0, 7 * DAY + 1, retention)).containsExactly(new TopicPart("t", 0));
        assertThat(OffsetExpirer.expired(offsets, 3 * DAY, 9 * DAY, retention))
                .as("the group had members 6 days ago").isEmpty();
        assertThat(OffsetExpirer.expired(offsets, 3 * DAY, 13 * DAY, retention))
                .containsExactly(new TopicPart("t", 0), new TopicPart("t", 1));
    }
}
