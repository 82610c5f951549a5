package io.sluice.rpc.internal.provider;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one WARN line per interval for one kind of problem, so that a peer sending bad calls at wire speed
 * cannot fill the disk; the next line says how many were left out. Arguments are logged as text (a Throwable's
 * {@code toString()}, no stack trace). Thread-safe, lock-free.
 */
final class ThrottledLog {
    private final Logger log;
    private final long intervalNs;
    private final AtomicLong nextNs;
    private final AtomicLong suppressed = new AtomicLong();

    ThrottledLog(Logger log, long intervalNs) {
        this.log = log;
        this.intervalNs = intervalNs;
        this.nextNs = new AtomicLong(System.nanoTime());
    }

    void warn(String format, Object... args) {
        long now = System.nanoTime();
        long next = nextNs.get();
        if (now - next < 0 || !nextNs.compareAndSet(next, now + intervalNs)) {
            suppressed.incrementAndGet();
            return;
        }
        Object[] text = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            text[i] = args[i] instanceof Throwable t ? t.toString() : args[i];
        }
        long skipped = suppressed.getAndSet(0);
        if (log.isWarnEnabled()) {
            log.warn(skipped == 0 ? format : format + " (" + skipped + " more like it not logged)", text);
        }
    }
}
