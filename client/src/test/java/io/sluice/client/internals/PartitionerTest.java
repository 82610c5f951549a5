package io.sluice.client.internals;

import io.sluice.client.Partitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionerTest {

    @Test
    void murmur2MatchesTheReferenceValues() {
        // reference values of the 32-bit murmur2 with seed 0x9747b28c, as used for Kafka key partitioning
        assertThat(HashPartitioner.murmur2(bytes("21"))).isEqualTo(-973932308);
        assertThat(HashPartitioner.murmur2(bytes("foobar"))).isEqualTo(-790332482);
        assertThat(HashPartitioner.murmur2(bytes("a-little-bit-long-string"))).isEqualTo(-985981536);
        assertThat(HashPartitioner.murmur2(bytes("a-little-bit-longer-string"))).isEqualTo(-1486304829);
        assertThat(HashPartitioner.murmur2(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")))
                .isEqualTo(-58897971);
        assertThat(HashPartitioner.murmur2(new byte[] {'a', 'b', 'c'})).isEqualTo(479470107);
    }

    @Test
    void sameKeyAlwaysLandsOnSamePartitionAcrossInstances() {
        Partitioner first = Partitioner.hashing();
        for (int i = 0; i < 1000; i++) {
            byte[] key = bytes("user-" + i);
            int p = first.partition("t", key, 8);
            assertThat(p).isBetween(0, 7);
            assertThat(Partitioner.hashing().partition("other", bytes("user-" + i), 8)).isEqualTo(p);
        }
    }

    @Test
    void keysSpreadOverAllPartitions() {
        int[] counts = new int[8];
        for (int i = 0; i < 8000; i++) {
            counts[Partitioner.hashing().partition("t", bytes("k" + i), 8)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(700, 1300);
        }
    }

    @Test
    void keylessRecordsAreLeftToTheProducer() {
        assertThat(Partitioner.hashing().partition("t", null, 8)).isEqualTo(Partitioner.ANY);
    }

    @Test
    void roundRobinCyclesThroughPartitions() {
        Partitioner rr = Partitioner.roundRobin();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            seen.add(rr.partition("t", null, 8));
        }
        assertThat(seen).hasSize(8);
    }

    @Test
    void stickyPartitionMovesOnOnlyWhenToldAndCoversAllPartitionsEvenly() {
        TopicRoutes routes = TestRoutes.of("t", 8, 9911).topic("t");
        StickyPartitions sticky = new StickyPartitions();
        int p = sticky.partition("t", routes);
        assertThat(sticky.partition("t", routes)).isEqualTo(p);
        int[] counts = new int[8];
        for (int i = 0; i < 8000; i++) {
            int current = sticky.partition("t", routes);
            counts[current]++;
            int next = sticky.next("t", routes, current);
            assertThat(next).isNotEqualTo(current);
        }
        for (int c : counts) {
            assertThat(c).isEqualTo(1000);
        }
    }

    @Test
    void stickyPartitionSkipsPartitionsWithoutLeader() {
        TopicRoutes routes = TestRoutes.of("t", 4, 9911, 1, 2).topic("t");
        StickyPartitions sticky = new StickyPartitions();
        Set<Integer> seen = new HashSet<>();
        int current = sticky.partition("t", routes);
        for (int i = 0; i < 20; i++) {
            seen.add(current);
            current = sticky.next("t", routes, current);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 3);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
