package io.sluice.broker.log;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcessLimitsTest {
    @Test
    void readsThisProcesssLimitsAndUsage() throws Exception {
        assumeTrue(Files.exists(Paths.get("/proc/self/limits")), "Linux only");
        String expectedMaps = Files.readAllLines(Paths.get("/proc/sys/vm/max_map_count")).get(0).trim();
        assertThat(ProcessLimits.maxMapCount()).isEqualTo(Long.parseLong(expectedMaps));
        assertThat(ProcessLimits.maxOpenFiles()).isGreaterThan(64);
        assertThat(ProcessLimits.openFiles()).isPositive();
        assertThat(ProcessLimits.memoryMaps()).isPositive();
    }

    @Test
    void capacityIsTheTighterOfTheTwoLimitsLessTheirReserves() {
        assertThat(ProcessLimits.partitionsCapacity(20_000, 65_530))
                .isEqualTo(Math.min((20_000 - ProcessLimits.FILES_RESERVE) / ProcessLimits.FILES_PER_ACTIVE_PARTITION,
                        (65_530 - ProcessLimits.MAPS_RESERVE) / ProcessLimits.MAPS_PER_ACTIVE_PARTITION));
        assertThat(ProcessLimits.partitionsCapacity(1_000, 65_530)).isZero();
        assertThat(ProcessLimits.partitionsCapacity(-1, -1)).isEqualTo(-1);
    }
}
