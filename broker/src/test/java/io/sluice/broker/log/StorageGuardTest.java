package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageGuardTest {
    private static final long MIB = 1 << 20;
    private static final String FLOOR = "sluice.broker.storage.min.free.bytes";

    private final AtomicLong free = new AtomicLong(500 * MIB);
    private final AtomicLong nanos = new AtomicLong();
    private final List<StorageGuard.State> changes = new ArrayList<>();
    private final StorageGuard guard = new StorageGuard(Path.of("/data/broker-0"), 100 * MIB, FLOOR, free::get,
            nanos::get).listener(g -> changes.add(g.state()));

    @Test
    void producesAreRefusedUnderTheFloorNamingTheNumbersAndResumeWhenSpaceReturns() {
        guard.refresh();
        guard.checkProduce();
        assertThat(guard.state()).isEqualTo(StorageGuard.State.OK);

        free.set(40 * MIB);
        guard.checkProduce();   // measured at most every 100 ms: the last measurement still stands
        nanos.addAndGet(100_000_000);
        assertThatThrownBy(guard::checkProduce).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL);
            assertThat(e.getMessage()).contains(String.valueOf(40 * MIB), FLOOR + "=" + 100 * MIB,
                    "/data/broker-0");
        });
        assertThat(guard.state()).isEqualTo(StorageGuard.State.LOW_SPACE);
        assertThat(guard.refusedLowSpace()).isEqualTo(1);
        assertThat(guard.freeBytes()).isEqualTo(40 * MIB);

        free.set(300 * MIB);
        guard.refresh();
        guard.checkProduce();
        assertThat(changes).containsExactly(StorageGuard.State.LOW_SPACE, StorageGuard.State.OK);
    }

    @Test
    void aFullDiskIsReportedUntilSpaceGrows() {
        StorageGuard noFloor = new StorageGuard(Path.of("/data"), 0, FLOOR, free::get, nanos::get)
                .listener(g -> changes.add(g.state()));
        free.set(10_000);
        noFloor.refresh();
        noFloor.onFull();
        assertThat(noFloor.state()).isEqualTo(StorageGuard.State.FULL);
        noFloor.checkProduce();   // no floor: the log itself refuses what finds no room
        assertThat(noFloor.refusedFull()).isEqualTo(1);

        free.set(10_000 + MIB / 2);
        noFloor.refresh();
        assertThat(noFloor.state()).isEqualTo(StorageGuard.State.FULL);
        free.set(10_000 + 2 * MIB);
        noFloor.refresh();
        assertThat(noFloor.state()).isEqualTo(StorageGuard.State.OK);

        assertThat(changes).containsExactly(StorageGuard.State.FULL, StorageGuard.State.OK);
    }
}
