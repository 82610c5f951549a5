package io.sluice.broker.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class OffsetIndexTest {
    @TempDir
    Path dir;

    @Test
    void looksUpByOffsetAndTimestampAndSurvivesReopen() {
        Path file = dir.resolve(OffsetIndex.FILE_NAME);
        try (OffsetIndex index = OffsetIndex.create(file, 64, 123L)) {
            // batches at 10, 20, ... with max timestamps before them 100, 100, 300, 300, ...
            for (int i = 0; i < 10; i++) {
                assertThat(index.append(10 + 10L * i, 1000 + i, 500L * i, 100 + 200L * (i / 2))).isTrue();
            }
            assertThat(index.floorSlot(5)).isEqualTo(-1);
            assertThat(index.floorSlot(10)).isZero();
            assertThat(index.floorSlot(35)).isEqualTo(2);
            assertThat(index.floorSlot(1000)).isEqualTo(9);
            assertThat(index.chronicleIndex(2)).isEqualTo(1002);
            assertThat(index.position(3)).isEqualTo(1500);
            assertThat(index.slotBeforeTimestamp(100)).isEqualTo(-1);
            assertThat(index.slotBeforeTimestamp(101)).isEqualTo(1);
            assertThat(index.slotBeforeTimestamp(301)).isEqualTo(3);
            index.truncateToOffset(60);
            assertThat(index.entries()).isEqualTo(5);
            index.flush();
        }
        try (OffsetIndex again = OffsetIndex.openExisting(file)) {
            assertThat(again).isNotNull();
            assertThat(again.entries()).isEqualTo(5);
            assertThat(again.createdMs()).isEqualTo(123L);
            assertThat(again.offset(4)).isEqualTo(50);
        }
    }

    @Test
    void aFullIndexRefusesEntriesAndAGarbledOneIsNotTrusted() throws Exception {
        Path file = dir.resolve(OffsetIndex.FILE_NAME);
        try (OffsetIndex index = OffsetIndex.create(file, OffsetIndex.MIN_CAPACITY, 0)) {
            for (int i = 0; i < OffsetIndex.MIN_CAPACITY; i++) {
                assertThat(index.append(i, i, i, 0)).isTrue();
            }
            assertThat(index.isFull()).isTrue();
            assertThat(index.append(1000, 1000, 1000, 0)).isFalse();
        }
        java.nio.file.Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33});
        assertThat(OffsetIndex.openExisting(file)).isNull();
    }
}
