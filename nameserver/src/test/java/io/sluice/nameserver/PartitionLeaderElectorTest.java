package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.nameserver.PartitionLeaderElector.Change;
import io.sluice.nameserver.PartitionLeaderElector.Decision;
import io.sluice.registry.PartitionState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionLeaderElectorTest {
    private static PartitionState state(int leader, int epoch, List<Integer> isr) {
        return new PartitionState(0, List.of(1, 2, 3), leader, epoch, isr, 7);
    }

    @Test
    void liveLeaderWithEveryoneInSyncChangesNothing() {
        assertThat(PartitionLeaderElector.decide(state(1, 4, List.of(1, 2, 3)), Set.of(1, 2, 3), false).change())
                .isEqualTo(Change.NONE);
    }

    @Test
    void deadFollowerLeavesTheInSyncSetButTheLeaderAndEpochStay() {
        Decision d = PartitionLeaderElector.decide(state(1, 4, List.of(1, 2, 3)), Set.of(1, 3), false);
        assertThat(d.change()).isEqualTo(Change.SHRINK_ISR);
        assertThat(d.next().leader()).isEqualTo(1);
        assertThat(d.next().leaderEpoch()).isEqualTo(4);
        assertThat(d.next().isr()).containsExactly(1, 3);
        assertThat(d.next().version()).isEqualTo(7);
    }

    @Test
    void deadLeaderIsReplacedByTheFirstLiveInSyncReplicaInPreferenceOrderWithANewEpoch() {
        Decision d = PartitionLeaderElector.decide(state(1, 4, List.of(1, 3, 2)), Set.of(2, 3), false);
        assertThat(d.change()).isEqualTo(Change.NEW_LEADER);
        assertThat(d.next().leader()).isEqualTo(2);
        assertThat(d.next().leaderEpoch()).isEqualTo(5);
        assertThat(d.next().isr()).containsExactly(3, 2);
    }

    @Test
    void aLiveReplicaOutsideTheInSyncSetIsNotElectedUnlessUncleanElectionIsEnabled() {
        PartitionState s = state(1, 4, List.of(1, 2));
        assertThat(PartitionLeaderElector.decide(s, Set.of(3), false).change()).isEqualTo(Change.NONE);
        Decision d = PartitionLeaderElector.decide(s, Set.of(3), true);
        assertThat(d.change()).isEqualTo(Change.UNCLEAN_LEADER);
        assertThat(d.next().leader()).isEqualTo(3);
        assertThat(d.next().leaderEpoch()).isEqualTo(5);
        assertThat(d.next().isr()).containsExactly(3);
    }

    @Test
    void anOfflinePartitionGetsALeaderWhenAnInSyncReplicaReturns() {
        PartitionState offline = state(1, 4, List.of(1));
        assertThat(PartitionLeaderElector.decide(offline, Set.of(2, 3), false).change()).isEqualTo(Change.NONE);
        PartitionState noLeader = state(PartitionState.NO_LEADER, 5, List.of(2));
        Decision d = PartitionLeaderElector.decide(noLeader, Set.of(2), false);
        assertThat(d.next().leader()).isEqualTo(2);
        assertThat(d.next().leaderEpoch()).isEqualTo(6);
    }

    @Test
    void uncleanElectionIsOffUnlessTheTopicSaysTrue() {
        assertThat(PartitionLeaderElector.uncleanAllowed(Map.of())).isFalse();
        assertThat(PartitionLeaderElector.uncleanAllowed(Map.of(PartitionLeaderElector.UNCLEAN, "TRUE"))).isTrue();
        assertThat(PartitionLeaderElector.uncleanAllowed(Map.of(PartitionLeaderElector.UNCLEAN, "false"))).isFalse();
    }
}
