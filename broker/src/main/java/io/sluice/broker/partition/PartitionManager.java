package io.sluice.broker.partition;

import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.LogManager;
import io.sluice.broker.log.PartitionLog;
import io.sluice.registry.TopicConfigs;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The partitions this broker hosts, kept in step with the assignments the registry publishes. Lookups on the
 * data path ({@link #partition}) are a map read and an array index. {@link #applyTopic} and
 * {@link #retainTopics} are called by one registry thread at a time.
 */
public final class PartitionManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);

    private static final Set<String> REPLICATION_CONFIGS = Set.of(TopicConfigs.MIN_INSYNC_REPLICAS.name(),
            TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE.name());

    private final int brokerId;
    private final LogManager logs;
    private final LogConfig logDefaults;
    private final PartitionListener listener;
    private final LeaderLease lease;
    private final ConcurrentHashMap<String, Partition[]> topics = new ConcurrentHashMap<>();
    private final Set<String> warnedStrays = new HashSet<>();
    /** Topic configs this broker could not apply and has said so, by topic: each is logged once. */
    private final Map<String, Set<String>> warnedConfigs = new ConcurrentHashMap<>();

    public PartitionManager(int brokerId, LogManager logs, LogConfig logDefaults, PartitionListener listener) {
        this(brokerId, logs, logDefaults, listener, new LeaderLease());
    }

    /** Partitions whose leadership counts only while {@code lease} is held (see {@link Partition}). */
    public PartitionManager(int brokerId, LogManager logs, LogConfig logDefaults, PartitionListener listener,
            LeaderLease lease) {
        this.lease = lease;
        this.brokerId = brokerId;
        this.logs = logs;
        this.logDefaults = logDefaults;
        this.listener = listener;
    }

    /**
     * The partition, or an error a client can act on: UNKNOWN_TOPIC, UNKNOWN_PARTITION (with the valid range), or
     * NOT_LEADER when the topic exists but this broker does not host that partition.
     */
    public Partition partition(String topic, int partition) {
        Partition[] parts = topic == null ? null : topics.get(topic);
        if (parts == null) {
            throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "unknown topic '" + topic + "' on broker " + brokerId);
        }
        if (partition < 0 || partition >= parts.length) {
            throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic + "' has partitions 0.."
                    + (parts.length - 1) + ", not " + partition);
        }
        Partition p = parts[partition];
        if (p == null) {
            throw new SluiceException(ErrorCode.NOT_LEADER,
                    "broker " + brokerId + " does not host " + topic + "-" + partition + "; refresh routes");
        }
        return p;
    }

    public int brokerId() {
        return brokerId;
    }

    /** Every hosted partition, as of now (a new list). */
    public List<Partition> all() {
        List<Partition> out = new java.util.ArrayList<>();
        for (Partition[] parts : topics.values()) {
            for (Partition p : parts) {
                if (p != null) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Partitions of a topic hosted here (null entries for partitions hosted elsewhere), or null. */
    public Partition[] partitions(String topic) {
        return topics.get(topic);
    }

    public Set<String> topics() {
        return topics.keySet();
    }

    /** Opens the logs of the partitions of {@code topic} assigned to this broker and applies leadership. */
    public void applyTopic(String topic, String topicId, Map<String, String> configs,
                           List<PartitionAssignment> assignments) {
        LogConfig config = logDefaults.withApplicableOverrides(logConfigs(configs), bad -> {
            if (warnedConfigs.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(bad.getMessage())) {
                log.warn("Topic {}: cannot apply its config ({}); this broker uses its own default for it", topic,
                        bad.getMessage());
            }
        });
        int minIsr = minInsyncReplicas(configs);
        Partition[] current = topics.get(topic);
        if (current == null) {
            dropLogsOfEarlierIncarnation(topic, topicId, assignments.size());
        }
        Partition[] next = new Partition[assignments.size()];
        PartitionLog[] opened = openNewLogs(topic, config, current, assignments, next.length);
        int hosted = 0;
        for (int i = 0; i < assignments.size(); i++) {
            PartitionAssignment a = assignments.get(i);
            if (!hostedHere(a, next.length)) {
                continue;
            }
            Partition p = current != null && a.partition() < current.length ? current[a.partition()] : null;
            if (p == null) {
                PartitionLog partitionLog = opened[i];
                if (!topicId.isEmpty() && !topicId.equals(TopicIdFile.read(partitionLog.dir()))) {
                    TopicIdFile.write(partitionLog.dir(), topicId);
                }
                p = new Partition(topic, a.partition(), brokerId, partitionLog, listener, lease);
                listener.onHosted(p);
                hosted++;
                log.debug("Hosting {}-{} (log {} .. {})", topic, a.partition(), partitionLog.logStartOffset(),
                        partitionLog.logEndOffset());
            }
            p.applyState(a.leader(), a.leaderEpoch(), a.replicas(), a.isr(), a.version(), minIsr);
            next[a.partition()] = p;
        }
        topics.put(topic, next);
        if (hosted > 0) {
            log.info("Hosting {} partition(s) of {}", hosted, topic);
        }
    }

    private boolean hostedHere(PartitionAssignment a, int partitionCount) {
        return a.partition() >= 0 && a.partition() < partitionCount && a.replicas().contains(brokerId);
    }

    /**
     * Opens, in parallel, the logs of the partitions newly assigned here (index by index with {@code assignments};
     * null where nothing is to be opened).
     */
    private PartitionLog[] openNewLogs(String topic, LogConfig config, Partition[] current,
                                       List<PartitionAssignment> assignments, int partitionCount) {
        List<LogManager.LogRequest> requests = new java.util.ArrayList<>();
        int[] at = new int[assignments.size()];
        for (int i = 0; i < assignments.size(); i++) {
            PartitionAssignment a = assignments.get(i);
            at[i] = -1;
            boolean isNew = current == null || a.partition() >= current.length || current[a.partition()] == null;
            if (hostedHere(a, partitionCount) && isNew) {
                at[i] = requests.size();
                requests.add(new LogManager.LogRequest(topic, a.partition(), config));
            }
        }
        PartitionLog[] opened = logs.openAll(requests);
        PartitionLog[] out = new PartitionLog[assignments.size()];
        for (int i = 0; i < at.length; i++) {
            if (at[i] >= 0) {
                out[i] = opened[at[i]];
            }
        }
        return out;
    }

    /**
     * Deletes this topic's logs on disk if they belong to an earlier topic of the same name (deleted while this
     * broker was away), so the new topic starts empty.
     */
    private void dropLogsOfEarlierIncarnation(String topic, String topicId, int partitionCount) {
        if (topicId.isEmpty() || !logs.topicsOnDisk().contains(topic)) {
            return;
        }
        for (int p = 0; p < partitionCount; p++) {
            java.nio.file.Path dir = logs.partitionDir(topic, p);
            String stored = java.nio.file.Files.isDirectory(dir) ? TopicIdFile.read(dir) : null;
            if (stored != null && !stored.equals(topicId)) {
                log.warn("Logs of {} belong to an earlier topic of that name (id {}, now {}): deleting them",
                        topic, stored, topicId);
                logs.deleteTopic(topic);
                return;
            }
        }
    }

    /** The topic's min.insync.replicas (1 when unset or unreadable). */
    private static int minInsyncReplicas(Map<String, String> configs) {
        String v = configs == null ? null : configs.get("min.insync.replicas");
        try {
            return v == null ? 1 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** The topic configs that set log behaviour (the others, e.g. min.insync.replicas, are replication's). */
    private static Map<String, String> logConfigs(Map<String, String> topicConfigs) {
        if (topicConfigs == null || topicConfigs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new java.util.HashMap<>(topicConfigs);
        out.keySet().removeAll(REPLICATION_CONFIGS);
        return out;
    }

    /** Drops (and deletes the logs of) every hosted topic not in {@code live}; warns of stray logs on disk. */
    public void retainTopics(Set<String> live) {
        Set<String> gone = new HashSet<>(topics.keySet());
        gone.removeAll(live);
        warnedConfigs.keySet().retainAll(live);
        for (String topic : gone) {
            Partition[] parts = topics.remove(topic);
            if (parts != null) {
                for (Partition p : parts) {
                    if (p != null) {
                        listener.onRemoved(p);
                        p.parked().wakeAll();
                    }
                }
            }
            logs.deleteTopic(topic);
            log.info("Deleted topic {}", topic);
        }
        for (String onDisk : logs.topicsOnDisk()) {
            if (!live.contains(onDisk) && !topics.containsKey(onDisk) && warnedStrays.add(onDisk)) {
                log.warn("Logs of topic {} are on disk but the topic is not in the registry; they are kept (a topic"
                        + " of that name created later starts empty). Delete {} by hand to free the space.", onDisk,
                        logs.dataDir().resolve(onDisk + "-*"));
            }
        }
    }

    @Override
    public void close() {
        topics.clear();
    }
}
