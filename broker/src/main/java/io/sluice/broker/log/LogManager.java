package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * All partition logs under one data directory, one subdirectory per partition: {@code <dataDir>/<topic>-<partition>/}
 * (see {@link PartitionLog} for what it holds). Opens logs on demand (recovering them), deletes topics, and runs the
 * periodic maintenance: retention and metadata checkpoints.
 *
 * <p>Thread-safety: lookups are lock-free; opening, deleting and closing logs are serialized on this manager.
 */
public final class LogManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d{1,9})");

    private final Path dataDir;
    private final LogConfig defaults;
    private final Clock clock;
    private final Map<String, PartitionLog> logs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @throws SluiceException DATA_DIR_NOT_WRITABLE naming the path if the directory cannot be created or written
     */
    public LogManager(Path dataDir, LogConfig defaults, Clock clock) {
        this.dataDir = dataDir.toAbsolutePath();
        this.defaults = defaults.conclude();
        this.clock = clock;
        checkWritable(this.dataDir);
        removeLeftovers();
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
        synchronized (this) {
            ensureOpen();
            existing = logs.get(name);
            if (existing != null) {
                existing.config(config);
                return existing;
            }
            PartitionLog opened = PartitionLog.open(dataDir.resolve(name), config, clock);
            logs.put(name, opened);
            return opened;
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
                if (m.matches() && TOPIC.matcher(m.group(1)).matches()) {
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
        validateTopic(topic);
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

    /** Closes every log (flushing and marking a clean shutdown). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PartitionLog l : logs.values()) {
            try {
                l.close();
            } catch (RuntimeException e) {
                log.warn("Closing {} failed: {}", l.dir().getFileName(), e.toString());
            }
        }
        logs.clear();
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
        validateTopic(topic);
        if (partition < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "partition " + partition + " of " + topic
                    + " is negative");
        }
        return topic + "-" + partition;
    }

    private static void validateTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new SluiceException(ErrorCode.INVALID_TOPIC, "topic name '" + topic + "' is not valid: use 1 to "
                    + "200 letters, digits, '.', '_' or '-'");
        }
    }
}
