package io.sluice.broker.group;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.GroupPartitions;
import io.sluice.remoting.protocol.JoinGroupRequest;
import io.sluice.remoting.protocol.JoinGroupResponse;
import io.sluice.remoting.transport.RequestContext;
import org.junit.jupiter.api.Test;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The group state machine driven with a manual clock: joins, rebalances, session expiry, fencing. */
class ConsumerGroupTest {
    private static final long MS = 1_000_000L;

    /** Records the one answer a parked request gets. */
    private static final class Answer implements RequestContext {
        Object response;
        ErrorCode error;

        @Override
        public ApiKey apiKey() {
            return ApiKey.JOIN_GROUP;
        }

        @Override
        public long requestId() {
            return 1;
        }

        @Override
        public boolean oneway() {
            return false;
        }

        @Override
        public SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public EventExecutor executor() {
            return null;
        }

        @Override
        public ByteBufAllocator alloc() {
            return ByteBufAllocator.DEFAULT;
        }

        @Override
        public void respond(Object r) {
            response = r;
        }

        @Override
        public void respond(Object r, ByteBuf payload) {
            payload.release();
            response = r;
        }

        @Override
        public void fail(ErrorCode code, String message) {
            error = code;
        }

        @Override
        public void fail(Throwable cause) {
            error = ((SluiceException) cause).code();
        }

        @Override
        public boolean isDone() {
            return response != null || error != null;
        }

        JoinGroupResponse join() {
            assertThat(response).as("join answered").isInstanceOf(JoinGroupResponse.class);
            return (JoinGroupResponse) response;
        }

        int partitions() {
            int n = 0;
            for (GroupPartitions g : join().assignment) {
                n += g.partitions.size();
            }
            return n;
        }
    }

    private final ConsumerGroup group = new ConsumerGroup("g", 0, Map.of("t", 6)::get);

    private static JoinGroupRequest join(String memberId) {
        JoinGroupRequest r = new JoinGroupRequest();
        r.groupId = "g";
        r.memberId = memberId;
        r.clientId = "c";
        r.topics = List.of("t");
        r.sessionTimeoutMs = 3_000;
        r.rebalanceTimeoutMs = 10_000;
        r.assignor = "range";
        return r;
    }

    private Answer join(String memberId, long nowMs) {
        Answer a = new Answer();
        group.join(join(memberId), "127.0.0.1", a, nowMs * MS);
        return a;
    }

    @Test
    void aSecondMemberWaitsForTheFirstToRejoinThenBothSplitThePartitions() {
        Answer first = join("", 0);
        assertThat(first.join().generation).isEqualTo(1);
        assertThat(first.partitions()).isEqualTo(6);
        String a = first.join().memberId;

        Answer second = join("", 100);
        assertThat(second.isDone()).isFalse();
        assertThatThrownBy(() -> group.heartbeat(a, 1, 200 * MS)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS));
        group.checkCommit(a, 1, 250 * MS);
        Answer again = join(a, 300);
        assertThat(second.join().generation).isEqualTo(2);
        assertThat(again.partitions()).isEqualTo(3);
        assertThat(second.partitions()).isEqualTo(3);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);

        assertThatThrownBy(() -> group.checkCommit(a, 1, 400 * MS)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_GENERATION));
        assertThatThrownBy(() -> group.checkCommit("", -1, 400 * MS)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.GROUP_NOT_EMPTY));
    }

    @Test
    void aMemberWhoseHeartbeatsStopIsRemovedAfterTheSessionTimeout() {
        String a = join("", 0).join().memberId;
        Answer second = join("", 10);
        String b = join(a, 20).join().memberId;
        String bId = second.join().memberId;
        assertThat(b).isEqualTo(a);

        group.heartbeat(a, 2, 2_000 * MS);
        group.onTimeEvent(2_900 * MS);
        assertThat(group.memberCount()).isEqualTo(2);
        group.onTimeEvent(3_100 * MS);
        assertThat(group.memberCount()).as("b stopped heartbeating at 20 ms").isEqualTo(1);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.PREPARING_REBALANCE);
        assertThatThrownBy(() -> group.heartbeat(bId, 2, 3_200 * MS)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MEMBER));
        Answer rejoin = join(a, 3_300);
        assertThat(rejoin.join().generation).isEqualTo(3);
        assertThat(rejoin.partitions()).isEqualTo(6);
    }

    @Test
    void aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsDroppedAndTheOthersGoOn() {
        String a = join("", 0).join().memberId;
        Answer second = join("", 100);
        for (long t = 1_000; t <= 10_000; t += 1_000) {
            long now = t * MS;
            assertThatThrownBy(() -> group.heartbeat(a, 1, now)).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS));
            group.onTimeEvent(now);
        }
        group.onTimeEvent(10_050 * MS);
        assertThat(second.isDone()).isFalse();
        group.onTimeEvent(10_200 * MS);
        assertThat(second.join().generation).isEqualTo(2);
        assertThat(second.partitions()).isEqualTo(6);
        assertThat(group.memberCount()).isEqualTo(1);
    }

    @Test
    void aRestartedStaticMemberGetsItsPartitionsBackWithoutARebalance() {
        JoinGroupRequest first = join("");
        first.groupInstanceId = "host-a";
        Answer a = new Answer();
        group.join(first, "127.0.0.1", a, 0);
        String oldId = a.join().memberId;
        Answer b = join("", 10);
        Answer again = new Answer();
        JoinGroupRequest rejoin = join(oldId);
        rejoin.groupInstanceId = "host-a";
        group.join(rejoin, "127.0.0.1", again, 20 * MS);
        assertThat(b.join().generation).isEqualTo(2);
        List<GroupPartitions> before = again.join().assignment;

        JoinGroupRequest restarted = join("");
        restarted.groupInstanceId = "host-a";
        Answer back = new Answer();
        group.join(restarted, "127.0.0.1", back, 1_000 * MS);
        assertThat(back.join().generation).as("no rebalance").isEqualTo(2);
        assertThat(back.join().memberId).isNotEqualTo(oldId);
        assertThat(back.join().assignment).usingRecursiveComparison().isEqualTo(before);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
        assertThatThrownBy(() -> group.heartbeat(oldId, 2, 1_100 * MS)).isInstanceOfSatisfying(
                SluiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MEMBER));
    }

    @Test
    void leavingEmptiesTheGroupAndAllowsAnAdminCommit() {
        String a = join("", 0).join().memberId;
        group.leave(a, 10 * MS);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.EMPTY);
        assertThat(group.memberCount()).isZero();
        group.checkCommit("", -1, 20 * MS);
        assertThatThrownBy(() -> group.leave(a, 30 * MS)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MEMBER));
    }

    private static JoinGroupRequest cooperative(String memberId, List<GroupPartitions> owned, int ownedGeneration) {
        JoinGroupRequest r = join(memberId);
        r.assignor = null;
        r.assignors = List.of("cooperative-sticky");
        r.owned = owned;
        r.ownedGeneration = ownedGeneration;
        return r;
    }

    private Answer send(JoinGroupRequest r, long nowMs) {
        Answer a = new Answer();
        group.join(r, "127.0.0.1", a, nowMs * MS);
        return a;
    }

    @Test
    void cooperativeMembersKeepWhatTheyKeepAndAMovedPartitionIsWithheldUntilItsOwnerRevokesIt() {
        JoinGroupResponse first = send(cooperative("", null, -1), 0).join();
        assertThat(first.assignor).isEqualTo("cooperative-sticky");
        assertThat(first.assignment.get(0).partitions).containsExactly(0, 1, 2, 3, 4, 5);

        Answer second = send(cooperative("", null, -1), 10);
        JoinGroupResponse a = send(cooperative(first.memberId, first.assignment, 1), 20).join();
        assertThat(a.generation).isEqualTo(2);
        assertThat(a.assignment.get(0).partitions).as("a keeps three of its six").hasSize(3);
        assertThat(second.join().assignment).as("b gets nothing while a still owns them").isEmpty();

        send(cooperative(a.memberId, a.assignment, 2), 30);
        Answer bAgain = send(cooperative(second.join().memberId, List.of(), 2), 40);
        assertThat(bAgain.join().generation).isEqualTo(3);
        assertThat(bAgain.join().assignment.get(0).partitions).as("the three a revoked").hasSize(3)
                .doesNotContainAnyElementsOf(a.assignment.get(0).partitions);
    }

    @Test
    void theGroupAgreesOnAStrategyAndRefusesAMemberSharingNone() {
        JoinGroupRequest both = join("");
        both.assignors = List.of("cooperative-sticky", "range");
        JoinGroupResponse a = send(both, 0).join();
        assertThat(a.assignor).isEqualTo("cooperative-sticky");

        Answer b = send(join(""), 10);
        assertThat(b.isDone()).isFalse();
        both.memberId = a.memberId;
        assertThat(send(both, 20).join().assignor).as("the only strategy both support").isEqualTo("range");
        assertThat(b.join().assignor).isEqualTo("range");

        assertThatThrownBy(() -> send(cooperative("", null, -1), 30)).isInstanceOfSatisfying(SluiceException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
                    assertThat(e.getMessage()).contains("[range]", "[cooperative-sticky]");
                });
        assertThat(group.memberCount()).isEqualTo(2);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
    }
}
