package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
        AtomicInteger waits = new AtomicInteger();
        BufferPool pool = new BufferPool(10_000, PooledByteBufAllocator.DEFAULT, waits::incrementAndGet);
        ByteBuf all = pool.allocate(10_000, 0);
        CompletableFuture<ByteBuf> big = CompletableFuture.supplyAsync(() -> pool.allocate(8_000, 60 * SECOND));
        await().atMost(Duration.ofSeconds(30)).until(() -> waits.get() == 1);
        CompletableFuture<ByteBuf> small = CompletableFuture.supplyAsync(() -> pool.allocate(1_000, 60 * SECOND));
        // the pool calls onWait once a request is queued behind the others: both now wait, in arrival order
        await().atMost(Duration.ofSeconds(30)).until(() -> waits.get() == 2);
        assertThat(big).isNotDone();
        assertThat(small).as("a later small request does not overtake the first waiter").isNotDone();
        pool.deallocate(all, 10_000);
        ByteBuf b = big.get(30, TimeUnit.SECONDS);
        ByteBuf s = small.get(30, TimeUnit.SECONDS);
        assertThat(waits).hasValue(2);
        pool.deallocate(b, 8_000);
        pool.deallocate(s, 1_000);
        assertThat(pool.availableBytes()).isEqualTo(10_000);
    }

    @Test
    void closingFailsWaitersWithClientClosed() throws Exception {
        BufferPool pool = new BufferPool(1_000, PooledByteBufAllocator.DEFAULT, null);
        ByteBuf all = pool.allocate(1_000, 0);
        CompletableFuture<ByteBuf> waiter = CompletableFuture.supplyAsync(() -> pool.allocate(500, 60 * SECOND));
        await().atMost(Duration.ofSeconds(30)).until(pool::hasWaiters);
        pool.close();
        assertThatThrownBy(() -> waiter.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(SluiceException.class)
                .cause().satisfies(e -> assertThat(((SluiceException) e).code()).isEqualTo(ErrorCode.CLIENT_CLOSED));
        pool.deallocate(all, 1_000);
    }
}
