package io.sluice.registry;

/**
 * One participant in a named election (e.g. {@code controller}). At most one participant holds the ephemeral
 * leader node {@code /<name>} at a time; each win (re-)increments the persistent counter {@code /<name>_epoch} in the
 * same ZooKeeper transaction, so the epoch orders leaders and lets followers fence a deposed one
 * (see {@link TopicStore#compareAndSetPartitionState(String, int, PartitionState, int, LeaderElection)}).
 *
 * <p>Leadership is given up as soon as the connection to ZooKeeper is suspended (another participant may win once
 * the session expires); after a reconnect the participant competes again and, if it wins, gets a new epoch.
 * A follower that can prove the leader's process gone need not wait for the session: {@link #evict} removes the
 * leader node of exactly the term it saw, and the election proceeds at once.
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

    /**
     * Removes the leader node of {@code term} (as reported by {@link LeaderListener#onFollowing}) so that the
     * participants compete again at once, instead of when the leader's session expires. Call it only with proof that
     * the leader's process is gone: its session then lives on at ZooKeeper for up to the session timeout, holding
     * the node for nobody. The removal is one transaction conditional on the leader node's version and on the epoch
     * node's version of that term, so it never removes the node of a later term (a new leader, or the same one
     * re-claiming after a reconnect). A leader evicted wrongly (alive after all) learns it from its watch and stops
     * leading; meanwhile its fenced writes fail, because the next win moves the epoch on. Blocks for one ZooKeeper
     * round trip; never evicts this participant's own term.
     *
     * @return true if the node was removed; false if it had changed or gone already (nothing was done)
     * @throws io.sluice.remoting.SluiceException REGISTRY_UNAVAILABLE if ZooKeeper could not be asked
     */
    boolean evict(LeaderTerm term);

    /** Adds a listener; if this participant already leads, it is told {@code onElected} at once. */
    void addListener(LeaderListener listener);

    /** Leaves the election: resigns if leading (listeners get {@code onRevoked}) and stops competing. */
    @Override
    void close();
}
