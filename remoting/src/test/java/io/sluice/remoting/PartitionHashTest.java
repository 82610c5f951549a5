package io.sluice.remoting;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionHashTest {
    @Test
    void numberedTopicsOfManyPartitionsGetDistinctHashes() {
        Set<Integer> hashes = new HashSet<>();
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 1_000; p++) {
                hashes.add(PartitionHash.of("wide-10000-" + t, p));
            }
        }
        assertThat(hashes).as("10 topics named alike, 1,000 partitions each").hasSize(10_000);
    }

    @Test
    void theHashDependsOnlyOnTheName() {
        assertThat(PartitionHash.of(new String("orders"), 7)).isEqualTo(PartitionHash.of("orders", 7));
        assertThat(PartitionHash.of("orders", 7)).isNotEqualTo(PartitionHash.of("orders", 8));
    }
}
