package io.sluice.remoting.codec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Grants, waits and the share of large frames in the memory pool for frames that arrive in pieces. */
class FrameMemoryPoolTest {
    private final List<Integer> granted = new ArrayList<>();

    private FrameMemoryPool.Waiter acquire(FrameMemoryPool pool, int bytes) {
        return pool.acquireOrWait(bytes, Runnable::run, granted::add);
    }

    @Test
    void grantsWhatFitsAndGrantsTheRestAsMemoryIsReleased() {
        FrameMemoryPool pool = new FrameMemoryPool(800);
        assertThat(acquire(pool, 60)).isNull();
        assertThat(acquire(pool, 90)).isNull();
        assertThat(acquire(pool, 760)).as("does not fit: waits").isNotNull();
        assertThat(pool.used()).isEqualTo(150);
        pool.release(90);
        assertThat(granted).isEmpty();
        pool.release(60);
        assertThat(granted).containsExactly(760);
        assertThat(pool.used()).isEqualTo(760);
    }

    @Test
    void largeFramesTogetherHoldAtMostHalfAndSmallOnesPassThem() {
        FrameMemoryPool pool = new FrameMemoryPool(800); // large: over 100 bytes; together at most 400
        assertThat(acquire(pool, 300)).isNull();
        assertThat(acquire(pool, 300)).as("a second large frame would pass half the pool").isNotNull();
        assertThat(acquire(pool, 100)).as("a small frame passes the waiting large one").isNull();
        assertThat(pool.tryAcquire(50)).isTrue();
        assertThat(pool.used()).isEqualTo(450);
        pool.release(300);
        assertThat(granted).containsExactly(300);
    }

    @Test
    void oneLargeFrameFitsWhenNoOtherIsHeld() {
        FrameMemoryPool pool = new FrameMemoryPool(800);
        assertThat(acquire(pool, 700)).as("larger than the large share, but alone").isNull();
        pool.release(700);
        assertThat(pool.used()).isZero();
    }

    @Test
    void aWithdrawnWaitIsNeverGranted() {
        FrameMemoryPool pool = new FrameMemoryPool(100);
        assertThat(acquire(pool, 80)).isNull();
        FrameMemoryPool.Waiter waiter = acquire(pool, 50);
        assertThat(pool.cancel(waiter)).isTrue();
        pool.release(80);
        assertThat(granted).isEmpty();
        assertThat(pool.used()).isZero();
        assertThat(pool.cancel(waiter)).isFalse();
    }

    @Test
    void aGrantWhoseExecutorIsGoneIsGivenBack() {
        FrameMemoryPool pool = new FrameMemoryPool(100);
        assertThat(acquire(pool, 80)).isNull();
        pool.acquireOrWait(50, r -> {
            throw new java.util.concurrent.RejectedExecutionException("event loop shut down");
        }, granted::add);
        pool.release(80);
        assertThat(granted).isEmpty();
        assertThat(pool.used()).isZero();
    }
}
