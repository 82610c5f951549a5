package io.sluice.rpc.internal.provider;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The provider's business pool: a fixed number of daemon threads, apart from the I/O threads, and a bounded
 * queue; when both are full, {@code execute} throws at once (answered PROVIDER_BUSY), it never blocks. Idle
 * threads time out.
 */
public final class BusinessPool {
    private BusinessPool() {
    }

    public static ThreadPoolExecutor create(int threads, int queueCapacity, String name) {
        BlockingQueue<Runnable> queue = queueCapacity == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(queueCapacity);
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "sluice-rpc-" + name + "-biz-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
