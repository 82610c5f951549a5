package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.client.RecordMetadata;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RecordAccumulatorTest {
    private static final long LINGER_MS = 5;
    private static final long DELIVERY_MS = 60_000;
    private final Routes routes = TestRoutes.of("t", 4, 9911);
    private final AtomicInteger wakeups = new AtomicInteger();
    private BufferPool pool;
    private RecordAccumulator accumulator;

    private void create(int batchSize, long bufferMemory, int maxInFlight) {
        pool = new BufferPool(bufferMemory, PooledByteBufAllocator.DEFAULT, wakeups::incrementAndGet);
        accumulator = new RecordAccumulator(batchSize, LINGER_MS, DELIVERY_MS, maxInFlight, pool,
                wakeups::incrementAndGet);
    }

    @AfterEach
    void releaseEverything() {
        if (accumulator != null) {
            accumulator.abortIncomplete(new SluiceException(ErrorCode.CLIENT_CLOSED, "test over"));
            assertThat(pool.availableBytes()).isEqualTo(pool.totalBytes());
        }
    }

    private CompletableFuture<RecordMetadata> append(int partition, String key, String value, long maxBlockMs) {
        return accumulator.append("t", partition, 1_000L, bytes(key), bytes(value), null, null,
                size(key, value, 0), false, TimeUnit.MILLISECONDS.toNanos(maxBlockMs));
    }

    private static int size(String key, String value, int headersSize) {
        return RecordBatchBuilder.recordSize(key == null ? -1 : bytes(key).length,
                value == null ? -1 : bytes(value).length, headersSize);
    }

    private List<ProducerBatch> drain(long nowNs) {
        List<ProducerBatch> ready = new ArrayList<>();
        List<ProducerBatch> expired = new ArrayList<>();
        accumulator.drain(nowNs, routes, false, ready, expired, new RecordAccumulator.DrainState());
        assertThat(expired).isEmpty();
        return ready;
    }

    @Test
    void aLeaderThatTakesNoMoreLeavesBatchesQueuedAndLaterDrainsReachEveryPartition() {
        create(128, 1 << 20, 5); // one record per batch; a partition is never muted here
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 4; i++) {
                append(p, "k", p + "-" + i + "-" + "x".repeat(100), 0);
            }
        }
        long later = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS * 2);
        List<String> taken = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            int[] room = {1}; // the leader takes one batch per drain
            List<ProducerBatch> sent = new ArrayList<>();
            accumulator.drain(later, routes, false, (batch, leader) -> {
                if (room[0] == 0) {
                    return false;
                }
                room[0]--;
                sent.add(batch);
                return true;
            }, new ArrayList<>(), new RecordAccumulator.DrainState());
            for (ProducerBatch batch : sent) {
                taken.add(batch.partition + "/" + batch.destination.getPort());
                accumulator.inFlightDone(batch); // answered before the next drain
                batch.succeed(0);
            }
        }
        assertThat(taken).as("one batch per drain, each from another partition: none starved")
                .containsExactlyInAnyOrder("0/9911", "1/9911", "2/9911", "3/9911");
        assertThat(drain(later)).as("the refused batches are still queued, in order").hasSize(12);
    }

    @Test
    void recordsOfOnePartitionShareABatchThatDecodesBack() {
        create(16 * 1024, 1 << 20, 1);
        long now = System.nanoTime();
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(accumulator.append("t", 2, 1_000L + i, bytes("k" + i), bytes("v" + i),
                    i == 3 ? new String[] {"h"} : null, i == 3 ? new byte[][] {bytes("x")} : null,
                    size("k" + i, "v" + i, i == 3 ? 2 + 1 + 4 + 1 : 0), false, 0));
        }
        assertThat(drain(now)).as("not ready before linger").isEmpty();
        List<ProducerBatch> ready = drain(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS));
        assertThat(ready).hasSize(1);
        ProducerBatch batch = ready.get(0);
        assertThat(batch.partition).isEqualTo(2);
        assertThat(batch.destination.getPort()).isEqualTo(9911);

        ByteBuf payload = batch.retainedPayload();
        try {
            RecordBatch view = new RecordBatch().wrap(payload, payload.readerIndex());
            view.validate(payload.readableBytes());
            assertThat(view.recordCount()).isEqualTo(10);
            assertThat(view.baseTimestamp()).isEqualTo(1_000L);
            assertThat(view.maxTimestamp()).isEqualTo(1_009L);
            List<String> seen = new ArrayList<>();
            view.forEachRecord(new Record(), r -> {
                String h = r.headerCount() == 0 ? "" : "+h";
                seen.add(new String(r.key(), StandardCharsets.UTF_8) + "=" + new String(r.value(),
                        StandardCharsets.UTF_8) + "@" + r.offset() + "/" + r.timestamp() + h);
            });
            assertThat(seen).startsWith("k0=v0@0/1000", "k1=v1@1/1001", "k2=v2@2/1002", "k3=v3@3/1003+h");
            assertThat(seen).hasSize(10);
        } finally {
            payload.release();
        }

        accumulator.inFlightDone(batch);
        assertThat(batch.succeed(500)).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(futures.get(i).join()).isEqualTo(new RecordMetadata("t", 2, 500 + i, 1_000L + i));
        }
        assertThat(accumulator.hasIncomplete()).isFalse();
    }

    @Test
    void aFullBatchIsReadyAtOnceAndTheNextRecordOpensANewOne() {
        create(1024, 1 << 20, 5);
        long now = System.nanoTime();
        int appended = 0;
        while (wakeups.get() < 2) {
            append(0, "k", "0123456789012345678901234567890123456789", 0);
            appended++;
        }
        List<ProducerBatch> ready = drain(now);
        assertThat(ready).as("only the full batch, the new one lingers").hasSize(1);
        assertThat(ready.get(0).recordCount()).isEqualTo(appended - 1);
        assertThat(ready.get(0).sizeInBytes()).isLessThanOrEqualTo(1024);
    }

    @Test
    void keylessAppendAsksForAnotherPartitionInsteadOfOpeningABatch() {
        create(1024, 1 << 20, 1);
        CompletableFuture<RecordMetadata> f = accumulator.append("t", 1, 1L, null, bytes("v"), null, null,
                size(null, "v", 0), true, 0);
        assertThat(f).isNull();
        assertThat(accumulator.hasIncomplete()).isFalse();
        assertThat(append(1, "k", "v", 0)).isNotNull();
        assertThat(accumulator.append("t", 1, 1L, null, bytes("v"), null, null, size(null, "v", 0), true, 0))
                .isNotNull();
    }

    @Test
    void fullBufferBlocksUpToMaxBlockThenFailsWithBufferExhausted() {
        create(1024, 2048, 1);
        append(0, "a", "b", 0);
        append(1, "a", "b", 0);
        long start = System.nanoTime();
        assertThatThrownBy(() -> append(2, "a", "b", 200))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BUFFER_EXHAUSTED));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    }

    @Test
    void nonBlockingModeFailsAtOnceWhenTheBufferIsFull() {
        create(1024, 2048, 1);
        append(0, "a", "b", 0);
        append(1, "a", "b", 0);
        assertThatThrownBy(() -> append(2, "a", "b", 0))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BUFFER_EXHAUSTED));
        assertThat(append(0, "a", "b", 0)).as("an open batch with room still takes records").isNotNull();
    }

    @Test
    void aBlockedAppendProceedsWhenABatchCompletes() throws Exception {
        create(1024, 2048, 1);
        append(0, "a", "b", 0);
        append(1, "a", "b", 0);
        CompletableFuture<CompletableFuture<RecordMetadata>> blocked =
                CompletableFuture.supplyAsync(() -> append(2, "a", "b", 10_000));
        // the appender has queued for buffer memory (it registers as a waiter before it blocks, under the pool's lock)
        await().atMost(Duration.ofSeconds(30)).until(pool::hasWaiters);
        assertThat(blocked).isNotDone();
        List<ProducerBatch> ready = new ArrayList<>();
        accumulator.drain(System.nanoTime(), routes, false, ready, new ArrayList<>(),
                new RecordAccumulator.DrainState());
        assertThat(ready).as("a waiting appender makes every batch ready").hasSize(2);
        accumulator.inFlightDone(ready.get(0));
        ready.get(0).succeed(0);
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void batchesOfAPartitionLeaveInOrderWithinTheInFlightLimitAndRetriesKeepTheirPlace() {
        create(256, 1 << 20, 2);
        for (int i = 0; i < 40; i++) {
            append(0, "k", "value-" + i, 0);
        }
        long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        List<ProducerBatch> first = drain(later);
        assertThat(first).hasSize(2);
        assertThat(first.get(0).sequence).isLessThan(first.get(1).sequence);
        assertThat(drain(later)).as("in-flight limit reached").isEmpty();

        // both fail; the second answer comes first: they must go back in their original order
        accumulator.reenqueue(first.get(1), later);
        accumulator.reenqueue(first.get(0), later);
        List<ProducerBatch> again = drain(later);
        assertThat(again).containsExactly(first.get(0), first.get(1));
    }

    @Test
    void aRetriedBatchWaitsForItsBackoffAndHoldsBackTheRest() {
        create(256, 1 << 20, 1);
        for (int i = 0; i < 20; i++) {
            append(0, "k", "value-" + i, 0);
        }
        long now = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        ProducerBatch batch = drain(now).get(0);
        accumulator.reenqueue(batch, now + TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(drain(now)).isEmpty();
        assertThat(drain(now + TimeUnit.MILLISECONDS.toNanos(100))).containsExactly(batch);
    }

    @Test
    void aRetryGoesAtOnceToANewLeaderButBacksOffFromTheLeaderThatFailed() {
        create(256, 1 << 20, 1);
        for (int i = 0; i < 20; i++) {
            append(0, "k", "value-" + i, 0);
        }
        long now = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        ProducerBatch batch = drain(now).get(0);
        batch.lastError = new SluiceException(ErrorCode.NETWORK_ERROR, "connection to the leader closed");
        accumulator.reenqueue(batch, now + TimeUnit.SECONDS.toNanos(1));

        List<ProducerBatch> ready = new ArrayList<>();
        RecordAccumulator.DrainState state = new RecordAccumulator.DrainState();
        accumulator.drain(now, routes, false, ready, new ArrayList<>(), state);
        assertThat(ready).as("the routes still name the leader that failed: wait out the backoff").isEmpty();
        assertThat(state.staleLeader).as("ask for fresh routes meanwhile").isTrue();

        Routes failedOver = TestRoutes.of("t", 4, 9912);
        state.reset();
        accumulator.drain(now, failedOver, false, ready, new ArrayList<>(), state);
        assertThat(ready).as("a new leader takes the retry at once").containsExactly(batch);
        assertThat(batch.destination.getPort()).isEqualTo(9912);
        assertThat(state.staleLeader).isFalse();
    }

    @Test
    void aRetryAfterAnErrorThatKeepsTheRoutesDoesNotAskForRoutes() {
        create(256, 1 << 20, 1);
        append(0, "k", "v", 0);
        long now = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        ProducerBatch batch = drain(now).get(0);
        batch.lastError = new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, "1 in sync, 2 required");
        accumulator.reenqueue(batch, now + TimeUnit.SECONDS.toNanos(1));
        RecordAccumulator.DrainState state = new RecordAccumulator.DrainState();
        List<ProducerBatch> ready = new ArrayList<>();
        accumulator.drain(now, routes, false, ready, new ArrayList<>(), state);
        assertThat(ready).isEmpty();
        assertThat(state.staleLeader).isFalse();
    }

    @Test
    void partitionsWithoutLeaderAreHeldBack() {
        create(1024, 1 << 20, 1);
        Routes leaderless = TestRoutes.of("t", 4, 9911, 3);
        append(3, "k", "v", 0);
        List<ProducerBatch> ready = new ArrayList<>();
        RecordAccumulator.DrainState state = new RecordAccumulator.DrainState();
        accumulator.drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), leaderless, true, ready,
                new ArrayList<>(), state);
        assertThat(ready).isEmpty();
        assertThat(state.missingLeader).isTrue();
    }

    @Test
    void batchesPastTheDeliveryTimeoutExpire() {
        create(1024, 1 << 20, 1);
        CompletableFuture<RecordMetadata> f = append(0, "k", "v", 0);
        List<ProducerBatch> expired = new ArrayList<>();
        accumulator.drain(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELIVERY_MS + 1), Routes.EMPTY, false,
                new ArrayList<>(), expired, new RecordAccumulator.DrainState());
        assertThat(expired).hasSize(1);
        expired.get(0).fail(new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "expired"));
        assertThat(f).isCompletedExceptionally();
    }

    @Test
    void closedAccumulatorRefusesAppends() {
        create(1024, 1 << 20, 1);
        accumulator.close();
        assertThatThrownBy(() -> append(0, "k", "v", 0)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CLIENT_CLOSED));
    }

    @Test
    void aRecordLargerThanTheBatchSizeGetsABatchOfItsOwn() {
        create(256, 1 << 20, 1);
        append(0, "k", "small", 0);
        String big = "x".repeat(2000);
        append(0, "k", big, 0);
        List<ProducerBatch> ready = drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        assertThat(ready).hasSize(1);
        accumulator.inFlightDone(ready.get(0));
        ready.get(0).succeed(0);
        ready = drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        assertThat(ready).hasSize(1);
        assertThat(ready.get(0).sizeInBytes()).isGreaterThan(2000);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
