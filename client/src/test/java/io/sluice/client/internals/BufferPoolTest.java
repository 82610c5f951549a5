package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferPoolTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void accountsForEveryByteAndHandsOutExactCapacity() {
        BufferPool pool = new BufferPool(10_000, PooledByteBufAllocator.DEFAULT, null);
        ByteBuf a = pool.allocate(4_000, 0);
        assertThat(a.capacity()).isEqualTo(4_000);
        assertThat(a.maxCapacity()).isEqualTo(4_000);
        assertThat(pool.availableBytes()).isEqualTo(6_000);
        pool.deallocate(a, 4_000);
        assertThat(a.refCnt()).isZero();
        assertThat(pool.availableBytes()).isEqualTo(10_000);
    }

    @Test
    void moreThanTheWholeBudgetIsRecordTooLarge() {
        BufferPool pool = new BufferPool(10_000, PooledByteBufAllocator.DEFAULT, null);
        assertThatThrownBy(() -> pool.allocate(10_001, SECOND)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE));
    }

    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        int[] waits = {0};
        BufferPool pool = new BufferPool(10_000, PooledByteBufAllocator.DEFAULT, () -> waits[0]++);
        ByteBuf all = pool.allocate(10_000, 0);
        CompletableFuture<ByteBuf> big = CompletableFuture.supplyAsync(() -> pool.allocate(8_000, 10 * SECOND));
        waitForWaiters(pool);
        CompletableFuture<ByteBuf> small = CompletableFuture.supplyAsync(() -> pool.allocate(1_000, 10 * SECOND));
        Thread.sleep(100);
        assertThat(big).isNotDone();
        assertThat(small).as("a later small request does not overtake the first waiter").isNotDone();
        pool.deallocate(all, 10_000);
        ByteBuf b = big.get(5, TimeUnit.SECONDS);
        ByteBuf s = small.get(5, TimeUnit.SECONDS);
        assertThat(waits[0]).isEqualTo(2);
        pool.deallocate(b, 8_000);
        pool.deallocate(s, 1_000);
        assertThat(pool.availableBytes()).isEqualTo(10_000);
    }

    @Test
    void closingFailsWaitersWithClientClosed() throws Exception {
        BufferPool pool = new BufferPool(1_000, PooledByteBufAllocator.DEFAULT, null);
        ByteBuf all = pool.allocate(1_000, 0);
        CompletableFuture<ByteBuf> waiter = CompletableFuture.supplyAsync(() -> pool.allocate(500, 10 * SECOND));
        waitForWaiters(pool);
        pool.close();
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SluiceException.class)
                .cause().satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo(ErrorCode.CLIENT_CLOSED));
        pool.deallocate(all, 1_000);
    }

    private static void waitForWaiters(BufferPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + 5 * SECOND;
        while (!pool.hasWaiters() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(pool.hasWaiters()).isTrue();
    }
}
