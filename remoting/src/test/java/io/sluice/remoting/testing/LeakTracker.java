package io.sluice.remoting.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Records Netty buffer leaks instead of only logging them, so tests can fail on them. {@link #install()} must run
 * before Netty's buffer classes load (the JUnit extension {@link LeakCheckExtension} is auto-registered and does
 * it); {@link #assertNoLeaks()} collects garbage, makes the detectors poll, and fails listing the leak records.
 * Thread-safe.
 */
public final class LeakTracker {
    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean installed;

    static {
        install();
    }

    private LeakTracker() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    /** True if the buffer leak detector is ours (it was installed before Netty's buffers loaded). */
    public static boolean active() {
        try {
            Class<?> type = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = type.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return field.get(null) instanceof RecordingDetector;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Fails if any buffer was garbage collected without being released. */
    public static void assertNoLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20); // not a wait for a condition: lets the GC's reference handler enqueue
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // detectors poll their reference queues when a new buffer is tracked
            for (int j = 0; j < 4; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                a.release();
                b.release();
            }
        }
        List<String> leaks;
        synchronized (LEAKS) {
            leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) detected:\n" + String.join("\n", leaks));
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval, Long.MAX_VALUE);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK " + resourceType + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK " + resourceType + " (untraced)");
        }

        private static void record(String leak) {
            synchronized (LEAKS) {
                if (LEAKS.size() < 20) {
                    LEAKS.add(leak);
                }
            }
        }
    }
}
