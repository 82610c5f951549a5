package io.sluice.registry.zk;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local view of one ZooKeeper subtree: a {@link CuratorCache} plus a value derived from it (e.g. the list of live
 * brokers) that is rebuilt after changes and handed to subscribers. Changes arriving within
 * {@code sluice.registry.watch.coalesce.ms} are merged into one rebuild; a rebuild that finds every node at the same
 * modification (mzxid) as the last one notifies nobody. The cache keeps its content while ZooKeeper is unreachable.
 *
 * <p>Thread-safe. Rebuilds and subscriber calls run on the notifier thread; subscribers first get the current value,
 * then every later one, in order.
 *
 * @param <T> the derived value; must be immutable
 */
public final class CachedTree<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachedTree.class);

    private final ZkContext ctx;
    private final String path;
    private final Function<CuratorCache, T> builder;
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Object buildLock = new Object();
    private CuratorCache cache;
    private Map<String, Long> fingerprint;
    private volatile T current;
    private volatile boolean closed;

    /** A view of {@code path} (namespace-relative) whose value is {@code builder} applied to the cache. */
    CachedTree(ZkContext ctx, String path, Function<CuratorCache, T> builder, T empty) {
        this.ctx = ctx;
        this.path = path;
        this.builder = builder;
        this.current = empty;
    }

    /** Starts the cache (once) and waits, at most the connection timeout, for its first full load. */
    synchronized CachedTree<T> start() {
        if (cache != null || closed) {
            return this;
        }
        cache = CuratorCache.build(ctx.client(), path);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> markDirty())
                .forInitialized(() -> {
                    initialized.countDown();
                    markDirty();
                })
                .build());
        cache.start();
        try {
            if (!initialized.await(ctx.config().connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
                LOG.warn("registry view of {} not loaded within {} ms; it fills in once ZooKeeper answers", path,
                        ctx.config().connectionTimeoutMs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rebuild();
        return this;
    }

    /** The latest derived value (the empty value until loaded). */
    T current() {
        return current;
    }

    /** Calls {@code listener} with the current value, then with each new one, on the notifier thread. */
    AutoCloseable subscribe(Consumer<T> listener) {
        Subscription sub = new Subscription(listener);
        ctx.post("subscribe to " + path, () -> {
            if (!sub.closed && !closed) {
                subscriptions.add(sub);
                sub.deliver(current);
            }
        });
        return sub;
    }

    private void markDirty() {
        if (!closed && rebuildPending.compareAndSet(false, true)) {
            ctx.postLater("rebuild view of " + path, this::rebuildAndNotify, ctx.config().watchCoalesceMs());
        }
    }

    private void rebuildAndNotify() {
        rebuildPending.set(false);
        T value = rebuild();
        if (value != null) {
            for (Subscription sub : subscriptions) {
                sub.deliver(value);
            }
        }
    }

    /** Recomputes the value; returns it if it changed, else null. */
    private T rebuild() {
        synchronized (buildLock) {
            if (cache == null || closed) {
                return null;
            }
            Map<String, Long> print = new HashMap<>();
            cache.stream().forEach((ChildData d) -> print.put(d.getPath(), d.getStat() == null ? 0L
                    : d.getStat().getMzxid()));
            if (print.equals(fingerprint)) {
                return null;
            }
            T value = builder.apply(cache);
            fingerprint = print;
            current = value;
            return value;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (cache != null) {
                cache.close();
            }
        }
        subscriptions.clear();
    }

    /** One subscriber; closing it stops deliveries (a delivery already running completes). */
    private final class Subscription implements AutoCloseable {
        private final Consumer<T> listener;
        private volatile boolean closed;

        Subscription(Consumer<T> listener) {
            this.listener = listener;
        }

        void deliver(T value) {
            if (closed) {
                return;
            }
            try {
                listener.accept(value);
            } catch (Throwable t) {
                LOG.warn("registry listener on {} threw; it stays subscribed", path, t);
            }
        }

        @Override
        public void close() {
            closed = true;
            subscriptions.remove(this);
        }
    }
}
