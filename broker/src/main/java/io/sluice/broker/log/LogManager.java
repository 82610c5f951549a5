package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * All partition logs under one data directory, one subdirectory per partition: {@code <dataDir>/<topic>-<partition>/}
 * (see {@link PartitionLog} for what it holds). Opens logs on demand (recovering them), deletes topics, and runs the
 * periodic maintenance: retention, metadata checkpoints, recovery-point checkpoints and closing the files of idle
 * segments.
 *
 * <p>Stop and restart: {@link #close()} flushes and closes the logs in parallel and then writes one clean-shutdown
 * marker for all of them ({@link CleanShutdown}); the next manager on the directory reads and deletes it at once,
 * and every log it names opens without recovery. Logs are opened in parallel by {@link #openAll}.
 *
 * <p>Thread-safety: lookups are lock-free; a log is opened once however many threads ask for it; deleting and
 * closing are serialized on this manager.
 */
public final class LogManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d{1,9})");

    private final Path dataDir;
    private final LogConfig defaults;
    private final Clock clock;
    private final Map<String, PartitionLog> logs = new ConcurrentHashMap<>();
    /** What the last clean shutdown recorded, by partition directory; an entry is used once. */
    private final Map<String, CleanShutdown.Entry> cleanShutdown;
    private final boolean startedClean;
    private final AtomicLong recoveredSegments = new AtomicLong();
    private final int threads;
    private final OpenSegments openSegments;
    private volatile boolean closed;

    /**
     * @throws SluiceException DATA_DIR_NOT_WRITABLE naming the path if the directory cannot be created or written
     */
    public LogManager(Path dataDir, LogConfig defaults, Clock clock) {
        this(dataDir, defaults, clock, Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #LogManager(Path, LogConfig, Clock)}, opening and closing logs on up to {@code threads} threads.
     * Reads and deletes the clean-shutdown marker of the last stop.
     */
    public LogManager(Path dataDir, LogConfig defaults, Clock clock, int threads) {
        this(dataDir, defaults, clock, threads, OpenSegments.forProcess(0));
    }

    /**
     * As {@link #LogManager(Path, LogConfig, Clock, int)}, with the segments of all logs holding files open at once
     * bounded by {@code openSegments}.
     */
    public LogManager(Path dataDir, LogConfig defaults, Clock clock, int threads, OpenSegments openSegments) {
        this.openSegments = openSegments;
        this.dataDir = dataDir.toAbsolutePath();
        this.defaults = defaults.conclude();
        this.clock = clock;
        this.threads = Math.max(1, threads);
        checkWritable(this.dataDir);
        removeLeftovers();
        this.cleanShutdown = new ConcurrentHashMap<>(CleanShutdown.readAndRemove(this.dataDir));
        this.startedClean = !cleanShutdown.isEmpty();
        log.info("Data directory {}: {}", this.dataDir, startedClean ? "clean shutdown recorded for "
                + cleanShutdown.size() + " partition logs; they open without recovery"
                : "no clean-shutdown marker; logs recover from their recovery points");
    }

    private static void checkWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new SluiceException(ErrorCode.DATA_DIR_NOT_WRITABLE, "data directory " + dir + " is not writable ("
                    + e + "); create it with write permission for this user or point the broker elsewhere", e);
        }
    }

    private void removeLeftovers() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir, "*" + LogFiles.DELETED_SUFFIX)) {
            for (Path p : entries) {
                LogFiles.deleteRecursively(p);
            }
        } catch (IOException e) {
            log.warn("Cannot list {}: {}", dataDir, e.toString());
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The broker-wide log defaults. */
    public LogConfig defaults() {
        return defaults;
    }

    /**
     * The open log of a partition, opened (and recovered) or created with {@code config} if needed. For a log
     * already open, {@code config} replaces its config.
     *
     * @throws SluiceException INVALID_TOPIC for a name that cannot be a directory name, INVALID_REQUEST for a
     *                         negative partition, STORAGE_ERROR if the log cannot be opened
     */
    public PartitionLog getOrCreate(String topic, int partition, LogConfig config) {
        String name = dirName(topic, partition);
        PartitionLog existing = logs.get(name);
        if (existing != null) {
            existing.config(config);
            return existing;
        }
        ensureOpen();
        boolean[] opened = {false};
        PartitionLog l = logs.computeIfAbsent(name, n -> {
            ensureOpen();
            opened[0] = true;
            PartitionLog o = PartitionLog.open(dataDir.resolve(n), config, clock, cleanShutdown.remove(n),
                    openSegments);
            recoveredSegments.addAndGet(o.recoveredSegments());
            return o;
        });
        if (!opened[0]) {
            l.config(config);
        }
        return l;
    }

    /** A partition whose log {@link #openAll} opens. */
    public record LogRequest(String topic, int partition, LogConfig config) {
    }

    /**
     * Opens (recovering as needed) the logs of {@code requests} on up to the manager's thread count at once, and
     * returns them in the same order. A log that fails to open does not keep the others closed: they all open,
     * then the first failure is thrown (asking again returns the opened logs and retries the failed ones).
     *
     * @throws SluiceException as {@link #getOrCreate(String, int, LogConfig)}, for the first log that failed
     */
    public PartitionLog[] openAll(List<LogRequest> requests) {
        PartitionLog[] out = new PartitionLog[requests.size()];
        RuntimeException[] failures = new RuntimeException[requests.size()];
        if (requests.size() <= 1 || threads == 1) {
            for (int i = 0; i < out.length; i++) {
                out[i] = openQuietly(requests.get(i), failures, i);
            }
            throwFirst(failures);
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, requests.size()), r -> {
            Thread t = new Thread(r, "log-open");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> pending = new ArrayList<>(out.length);
            for (int i = 0; i < out.length; i++) {
                int at = i;
                pending.add(pool.submit(() -> out[at] = openQuietly(requests.get(at), failures, at)));
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        throwFirst(failures);
        return out;
    }

    private PartitionLog openQuietly(LogRequest r, RuntimeException[] failures, int at) {
        try {
            return getOrCreate(r.topic(), r.partition(), r.config());
        } catch (RuntimeException e) {
            failures[at] = e;
            return null;
        }
    }

    private static void throwFirst(RuntimeException[] failures) {
        for (RuntimeException e : failures) {
            if (e != null) {
                throw e;
            }
        }
    }

    /** Segments walked to recover logs opened by this manager (0 when every log opened after a clean stop). */
    public long recoveredSegments() {
        return recoveredSegments.get();
    }

    /** True if the data directory held a clean-shutdown marker when this manager started. */
    /** The bound on segments holding files open at once, with their count. */
    public OpenSegments openSegments() {
        return openSegments;
    }

    public boolean startedClean() {
        return startedClean;
    }

    /**
     * Closes the files of every segment unused for {@code idleMs} (see {@link PartitionLog#closeIdleFiles}).
     *
     * @return the number of segments whose files were closed
     */
    public int closeIdleFiles(long idleMs) {
        long now = System.nanoTime();
        long idleNs = idleMs * 1_000_000L;
        int closedFiles = 0;
        for (PartitionLog l : logs.values()) {
            try {
                closedFiles += l.closeIdleFiles(now, idleNs);
            } catch (RuntimeException e) {
                log.warn("Closing idle files of {} failed: {}", l.dir().getFileName(), e.toString());
            }
        }
        return closedFiles;
    }

    /** Flushes every log that was appended to since its last flush and moves its recovery point to its end. */
    public void checkpointRecoveryPoints() {
        for (PartitionLog l : logs.values()) {
            try {
                l.checkpointRecoveryPoint();
            } catch (RuntimeException e) {
                log.warn("Recovery-point checkpoint of {} failed: {}", l.dir().getFileName(), e.toString());
            }
        }
    }

    /** As {@link #getOrCreate(String, int, LogConfig)} with the broker defaults. */
    public PartitionLog getOrCreate(String topic, int partition) {
        return getOrCreate(topic, partition, defaults);
    }

    /** The open log of a partition, or null. */
    public PartitionLog get(String topic, int partition) {
        if (topic == null || partition < 0) {
            return null;
        }
        return logs.get(topic + "-" + partition);
    }

    /** How many logs are loaded. */
    public int logCount() {
        return logs.size();
    }

    /** The open logs. */
    public Collection<PartitionLog> logs() {
        return List.copyOf(logs.values());
    }

    /** Topics that have at least one partition directory in the data directory (open or not). */
    public Set<String> topicsOnDisk() {
        Set<String> topics = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path p : entries) {
                Matcher m = PARTITION_DIR.matcher(p.getFileName().toString());
                if (m.matches() && TopicNames.isValid(m.group(1))) {
                    topics.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot list data directory " + dataDir + ": " + e, e);
        }
        return topics;
    }

    /** Closes and deletes every partition log of {@code topic}, open or only on disk. */
    public synchronized void deleteTopic(String topic) {
        TopicNames.validate(topic);
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path p : entries) {
                Matcher m = PARTITION_DIR.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(topic)) {
                    dirs.add(p);
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot list data directory " + dataDir + ": " + e, e);
        }
        for (Path dir : dirs) {
            PartitionLog open = logs.remove(dir.getFileName().toString());
            if (open != null) {
                open.delete();
            } else {
                LogFiles.renameAndDelete(dir);
            }
        }
        logs.keySet().removeIf(k -> {
            Matcher m = PARTITION_DIR.matcher(k);
            return m.matches() && m.group(1).equals(topic);
        });
    }

    /**
     * The periodic maintenance pass (run every retention.check.interval.ms): applies retention to every open log,
     * flushes the segments rolled since the last pass (moving the recovery point) and checkpoints the metadata
     * (high watermark) of those that changed. Never throws for one log's failure.
     *
     * @return the number of segments deleted
     */
    public int runRetention(long nowMs) {
        int deleted = 0;
        for (PartitionLog l : logs.values()) {
            try {
                deleted += l.deleteExpiredSegments(nowMs);
                l.flushRolledSegments();
                l.checkpoint();
            } catch (RuntimeException e) {
                log.warn("Maintenance of {} failed: {}", l.dir().getFileName(), e.toString());
            }
        }
        return deleted;
    }

    /** Checkpoints the metadata of every open log whose high watermark moved. */
    public void checkpoint() {
        for (PartitionLog l : logs.values()) {
            try {
                l.checkpoint();
            } catch (RuntimeException e) {
                log.warn("Checkpoint of {} failed: {}", l.dir().getFileName(), e.toString());
            }
        }
    }

    /**
     * Closes every log, flushing them in parallel, then records the clean shutdown of those that flushed in one
     * marker file (a log that could not be flushed is left out: it recovers from its recovery point next time).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNs = System.nanoTime();
        List<PartitionLog> all = new ArrayList<>(logs.values());
        Map<String, CleanShutdown.Entry> entries = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, all.size())), r -> {
            Thread t = new Thread(r, "log-close");
            t.setDaemon(true);
            return t;
        });
        try {
            int per = Math.max(1, (all.size() + threads - 1) / threads);
            List<Future<?>> pending = new ArrayList<>();
            for (int from = 0; from < all.size(); from += per) {
                List<PartitionLog> slice = all.subList(from, Math.min(all.size(), from + per));
                pending.add(pool.submit(() -> {
                    for (PartitionLog l : slice) {
                        try {
                            CleanShutdown.Entry e = l.closeForShutdown();
                            if (e != null) {
                                entries.put(l.dir().getFileName().toString(), e);
                            }
                        } catch (RuntimeException e) {
                            log.warn("Closing {} failed: {}", l.dir().getFileName(), e.toString());
                        }
                    }
                }));
            }
            for (Future<?> f : pending) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    log.warn("Closing logs failed", e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
        logs.clear();
        try {
            CleanShutdown.write(dataDir, entries);
            log.info("Closed {} partition logs in {} ms; clean shutdown recorded for {}", all.size(),
                    (System.nanoTime() - startNs) / 1_000_000, entries.size());
        } catch (IOException e) {
            log.warn("Cannot write the clean-shutdown marker in {} ({}); the next start recovers every log",
                    dataDir, e.toString());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "the log manager of " + dataDir + " is closed");
        }
    }

    /** The directory that holds (or would hold) a partition's log. */
    public Path partitionDir(String topic, int partition) {
        return dataDir.resolve(dirName(topic, partition));
    }

    private static String dirName(String topic, int partition) {
        TopicNames.validate(topic);
        if (partition < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "partition " + partition + " of " + topic
                    + " is negative");
        }
        return topic + "-" + partition;
    }
}
