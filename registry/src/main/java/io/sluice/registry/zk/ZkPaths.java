package io.sluice.registry.zk;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

/**
 * The ZooKeeper layout of Sluice, relative to the configured root (the Curator namespace):
 * <pre>
 * /brokers/&lt;id&gt;                             ephemeral: BrokerInfo
 * /&lt;election&gt;                               ephemeral: the elected participant and its epoch (e.g. /controller)
 * /&lt;election&gt;_epoch                         persistent: the epoch counter, bumped on each win
 * /topics/&lt;topic&gt;                          persistent: name, partition count, replication factor, configs,
 *                                          replica assignment
 * /topics/&lt;topic&gt;/states/&lt;c&gt;             persistent: leader, leaderEpoch, isr and version of partitions
 *                                          c * {@value #STATES_PER_CHUNK} .. (c + 1) * {@value #STATES_PER_CHUNK} - 1
 * /topics/&lt;topic&gt;/partitions/&lt;p&gt;/state     the same for one partition, as topics created before chunks were
 *                                          stored (still read and written; never created any more)
 * /services/&lt;key&gt;/providers/&lt;instanceId&gt;   ephemeral: a provider instance
 * /services/&lt;key&gt;/consumers/&lt;consumerId&gt;   ephemeral: a consumer and its metadata
 * </pre>
 * Stateless; thread-safe.
 */
public final class ZkPaths {
    public static final String BROKERS = "/brokers";
    public static final String TOPICS = "/topics";
    public static final String SERVICES = "/services";
    static final String PARTITIONS = "partitions";
    static final String STATES = "states";
    /**
     * Partition states per chunk node. A chunk of 100 is about 1.5 KB, so one partition's update rewrites little,
     * while a topic of 10,000 partitions is 100 nodes: created in one transaction, watched cheaply, and failed
     * over in a few multi-operations. Stored in each topic node, so a later size applies to new topics only.
     */
    public static final int STATES_PER_CHUNK = 100;
    static final String STATE = "state";
    static final String PROVIDERS = "providers";
    static final String CONSUMERS = "consumers";
    static final String EPOCH_SUFFIX = "_epoch";

    private ZkPaths() {
    }

    public static String broker(int id) {
        return BROKERS + "/" + id;
    }

    public static String topic(String topic) {
        return TOPICS + "/" + topic;
    }

    public static String partitions(String topic) {
        return topic(topic) + "/" + PARTITIONS;
    }

    public static String partition(String topic, int partition) {
        return partitions(topic) + "/" + partition;
    }

    public static String states(String topic) {
        return topic(topic) + "/" + STATES;
    }

    public static String stateChunk(String topic, int chunk) {
        return states(topic) + "/" + chunk;
    }

    public static String partitionState(String topic, int partition) {
        return partition(topic, partition) + "/" + STATE;
    }

    public static String service(String serviceKey) {
        return SERVICES + "/" + serviceKey;
    }

    public static String providers(String serviceKey) {
        return service(serviceKey) + "/" + PROVIDERS;
    }

    public static String provider(String serviceKey, String instanceId) {
        return providers(serviceKey) + "/" + instanceId;
    }

    public static String consumers(String serviceKey) {
        return service(serviceKey) + "/" + CONSUMERS;
    }

    public static String consumer(String serviceKey, String consumerId) {
        return consumers(serviceKey) + "/" + consumerId;
    }

    public static String election(String name) {
        return "/" + name;
    }

    public static String electionEpoch(String name) {
        return "/" + name + EPOCH_SUFFIX;
    }

    /** The last segment of a path. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** True if {@code s} may be one node name in a ZooKeeper path. */
    public static boolean isValidSegment(String s) {
        if (s == null || s.isEmpty() || s.equals(".") || s.equals("..") || s.length() > 512) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c <= '\u001f' || (c >= '\u007f' && c <= '\u009f') || (c >= '\ud800' && c <= '\uf8ff')
                    || c >= '\ufff0') {
                return false;
            }
        }
        return true;
    }

    /** Throws INVALID_REQUEST naming {@code what} unless {@code value} is a valid node name. */
    public static String requireSegment(String what, String value) {
        if (!isValidSegment(value)) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, what + " '" + value + "' is invalid: must be 1 to"
                    + " 512 characters, not '.' or '..', without '/' or control characters");
        }
        return value;
    }
}
