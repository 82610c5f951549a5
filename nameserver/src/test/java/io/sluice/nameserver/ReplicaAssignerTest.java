package io.sluice.nameserver;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaAssignerTest {
    private static BrokerInfo broker(int id, String rack) {
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = 9911 + id;
        b.rack = rack;
        return b;
    }

    private static List<BrokerInfo> brokers(int n) {
        List<BrokerInfo> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(broker(i, ""));
        }
        return list;
    }

    @Test
    void leadersAndReplicasSpreadEvenly() {
        List<List<Integer>> assignment = ReplicaAssigner.assign(brokers(3), 12, 3, 0);
        Map<Integer, Integer> leaders = new HashMap<>();
        Map<Integer, Integer> replicas = new HashMap<>();
        for (List<Integer> r : assignment) {
            assertThat(new HashSet<>(r)).as("distinct replicas").hasSize(3);
            leaders.merge(r.get(0), 1, Integer::sum);
            r.forEach(b -> replicas.merge(b, 1, Integer::sum));
        }
        assertThat(leaders).containsOnly(Map.entry(0, 4), Map.entry(1, 4), Map.entry(2, 4));
        assertThat(replicas).containsOnly(Map.entry(0, 12), Map.entry(1, 12), Map.entry(2, 12));
    }

    @Test
    void consecutiveReplicasLandOnDifferentRacks() {
        List<BrokerInfo> live = List.of(broker(0, "a"), broker(1, "a"), broker(2, "b"), broker(3, "b"));
        for (List<Integer> r : ReplicaAssigner.assign(live, 8, 2, 0)) {
            String first = live.get(r.get(0)).rack;
            String second = live.get(r.get(1)).rack;
            assertThat(first).isNotEqualTo(second);
        }
    }

    @Test
    void replicationFactorAboveLiveBrokersIsRefused() {
        assertThatThrownBy(() -> ReplicaAssigner.assign(brokers(2), 4, 3, 0))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR);
                    assertThat(e.getMessage()).contains("3").contains("2 live");
                });
    }

    @Test
    void noLiveBrokerIsAClearError() {
        assertThatThrownBy(() -> ReplicaAssigner.assign(List.of(), 4, 1, 0))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BROKER_NOT_AVAILABLE));
    }
}
