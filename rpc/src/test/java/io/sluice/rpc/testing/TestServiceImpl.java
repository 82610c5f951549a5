package io.sluice.rpc.testing;

import io.sluice.rpc.demo.User;
import io.sluice.rpc.demo.UserServiceImpl;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A provider of {@link TestService} that names itself in answers and records what it was asked. */
public class TestServiceImpl implements TestService {
    private final String name;
    public final List<String> events = new CopyOnWriteArrayList<>();
    public final AtomicLong calls = new AtomicLong();
    public final AtomicLong gatedEntered = new AtomicLong();
    public final AtomicLong gatedAnswered = new AtomicLong();
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(1);
    /** {@link #record} sleeps up to this long (at random) before it records. */
    public volatile long recordJitterMs;
    /** How long {@link #lagged()} takes. */
    public volatile long lagMs;
    /** Run as each {@link #lagged()} call starts, if set. */
    public volatile Runnable onLagged;

    public TestServiceImpl(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void openGate() {
        gate.countDown();
    }

    public void closeGate() {
        gate = new CountDownLatch(1);
    }

    @Override
    public String echo(String text) {
        calls.incrementAndGet();
        counts.merge("echo", 1L, Long::sum);
        return text;
    }

    @Override
    public String whoami() {
        calls.incrementAndGet();
        return name;
    }

    @Override
    public String whoamiFor(String key) {
        calls.incrementAndGet();
        return name;
    }

    @Override
    public String lagged() {
        calls.incrementAndGet();
        Runnable started = onLagged;
        if (started != null) {
            started.run();
        }
        if (lagMs > 0) {
            try {
                Thread.sleep(lagMs); // not a wait: a provider that is slow to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return name;
    }

    @Override
    public long add(long a, long b) {
        calls.incrementAndGet();
        return a + b;
    }

    @Override
    public void record(String event) {
        calls.incrementAndGet();
        long jitter = recordJitterMs;
        if (jitter > 0) {
            try {
                Thread.sleep(ThreadLocalRandom.current().nextLong(jitter + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        events.add(event);
    }

    @Override
    public CompletableFuture<String> echoAsync(String text) {
        calls.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> "async:" + text);
    }

    @Override
    public String gated(String text) {
        calls.incrementAndGet();
        gatedEntered.incrementAndGet();
        try {
            if (!gate.await(20, TimeUnit.SECONDS)) {
                return "gate never opened";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gatedAnswered.incrementAndGet();
        return name + ":" + text;
    }

    @Override
    public String fail(String message) {
        calls.incrementAndGet();
        throw new IllegalStateException(message);
    }

    @Override
    public Object any(Object value) {
        calls.incrementAndGet();
        return value;
    }

    @Override
    public User roundTrip(User user) {
        calls.incrementAndGet();
        return user;
    }

    @Override
    public List<User> users(int count) {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            users.add(UserServiceImpl.newUser(i));
        }
        return users;
    }

    @Override
    public Map<String, Long> counts() {
        return Map.copyOf(counts);
    }

    @Override
    public byte[] bytes(int size) {
        return new byte[size];
    }

    @Override
    public Box misbehave(String how) {
        calls.incrementAndGet();
        if (how.equals("oom")) {
            throw new OutOfMemoryError("simulated by the test");
        }
        return new Box(new AbstractList<Integer>() { // a collection whose elements cannot be read
            @Override
            public Integer get(int index) {
                throw new AssertionError("element " + index + " cannot be read");
            }

            @Override
            public int size() {
                return 1;
            }
        });
    }
}
