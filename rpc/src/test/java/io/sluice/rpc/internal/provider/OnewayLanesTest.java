package io.sluice.rpc.internal.provider;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OnewayLanesTest {
    private final ThreadPoolExecutor pool = BusinessPool.create(4, 64, "lanes-test");

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void eachConnectionsCallsRunInOrderOneAtATimeWhileConnectionsRunInParallel() throws Exception {
        OnewayLanes lanes = new OnewayLanes(pool, 100_000);
        Map<Integer, List<Integer>> ran = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlapped = new AtomicInteger();
        int connections = 6;
        int calls = 400;
        List<Thread> submitters = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            ran.put(c, new CopyOnWriteArrayList<>());
            running.put(c, new AtomicInteger());
            // one thread per connection, as each connection's requests come from its one I/O thread
            Thread t = new Thread(() -> {
                for (int i = 0; i < calls; i++) {
                    int seq = i;
                    boolean queued = lanes.submit("conn-" + connection, () -> {
                        if (running.get(connection).incrementAndGet() > 1) {
                            overlapped.incrementAndGet();
                        }
                        if (ThreadLocalRandom.current().nextInt(50) == 0) {
                            Thread.onSpinWait();
                            Thread.yield();
                        }
                        ran.get(connection).add(seq);
                        running.get(connection).decrementAndGet();
                        if (seq == 17) {
                            throw new IllegalStateException("a failing call does not stop its lane");
                        }
                    });
                    assertThat(queued).isTrue();
                    if (ThreadLocalRandom.current().nextInt(20) == 0) {
                        Thread.yield(); // let lanes drain and retire now and then
                    }
                }
            });
            submitters.add(t);
            t.start();
        }
        for (Thread t : submitters) {
            t.join(30_000);
        }
        await().atMost(30, TimeUnit.SECONDS).until(() -> ran.values().stream().allMatch(l -> l.size() == calls));
        for (int c = 0; c < connections; c++) {
            assertThat(ran.get(c)).as("connection %s", c).isSorted().hasSize(calls).doesNotHaveDuplicates();
        }
        assertThat(overlapped.get()).as("two calls of one connection never ran at once").isZero();
        await().atMost(10, TimeUnit.SECONDS).until(() -> lanes.lanes() == 0);
        assertThat(lanes.waiting()).isZero();
    }

    @Test
    void waitingCallsAreBoundedAndARefusalLeavesNothingBehind() throws Exception {
        ThreadPoolExecutor tiny = BusinessPool.create(1, 0, "lanes-tiny");
        try {
            OnewayLanes lanes = new OnewayLanes(tiny, 3);
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            assertThat(lanes.submit("a", () -> {
                entered.countDown();
                awaitGate(gate);
            })).isTrue();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicInteger ran = new AtomicInteger();
            assertThat(lanes.submit("a", ran::incrementAndGet)).isTrue();
            assertThat(lanes.submit("a", ran::incrementAndGet)).isTrue();
            // another connection needs a pool thread, and the only one is busy with no queue
            assertThat(lanes.submit("b", ran::incrementAndGet)).as("pool refuses a new lane").isFalse();
            assertThat(lanes.waiting()).isEqualTo(2);
            assertThat(lanes.submit("a", ran::incrementAndGet)).isTrue();
            assertThat(lanes.submit("a", ran::incrementAndGet)).as("past the limit of waiting calls").isFalse();
            assertThat(lanes.waiting()).isEqualTo(3);
            gate.countDown();
            await().atMost(10, TimeUnit.SECONDS).until(() -> ran.get() == 3 && lanes.lanes() == 0);
            assertThat(lanes.waiting()).isZero();
            assertThat(lanes.submit("b", ran::incrementAndGet)).isTrue();
            await().atMost(10, TimeUnit.SECONDS).until(() -> ran.get() == 4);
        } finally {
            tiny.shutdownNow();
        }
    }

    private static void awaitGate(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
