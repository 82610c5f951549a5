package io.sluice.registry;

/**
 * One participant in a named election (e.g. {@code controller}). At most one participant holds the ephemeral
 * leader node {@code /<name>} at a time; each win (re-)increments the persistent counter {@code /<name>_epoch} in the
 * same ZooKeeper transaction, so the epoch orders leaders and lets followers fence a deposed one
 * (see {@link TopicStore#compareAndSetPartitionState(String, int, PartitionState, int, LeaderElection)}).
 *
 * <p>Leadership is given up as soon as the connection to ZooKeeper is suspended (another participant may win once
 * the session expires); after a reconnect the participant competes again and, if it wins, gets a new epoch.
 *
 * <p>Thread-safe.
 */
public interface LeaderElection extends AutoCloseable {
    /** Joins the election; returns at once (the outcome arrives through listeners). Idempotent. */
    void start();

    /** True while this participant leads. */
    boolean isLeader();

    /** The epoch of the current leader as last seen (this participant's own while it leads); 0 if none seen yet. */
    long epoch();

    /** The participant id of the current leader as last seen, or null if there is none. */
    String leaderId();

    /** This participant's id. */
    String participantId();

    /** The election's name (the leader node's name under the registry root). */
    String name();

    /** Adds a listener; if this participant already leads, it is told {@code onElected} at once. */
    void addListener(LeaderListener listener);

    /** Leaves the election: resigns if leading (listeners get {@code onRevoked}) and stops competing. */
    @Override
    void close();
}
