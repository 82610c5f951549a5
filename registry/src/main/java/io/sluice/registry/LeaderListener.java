package io.sluice.registry;

/**
 * Told when this participant gains or loses leadership. Called on the registry's notification thread, one call at
 * a time and in order; implementations should return quickly and must not block on the registry. An exception is
 * logged and does not stop later notifications.
 */
public interface LeaderListener {
    /** This participant now leads; {@code epoch} is higher than any earlier leader's of the same election. */
    void onElected(long epoch);

    /** This participant no longer leads (connection suspended, session lost, or closed). Stop acting as leader. */
    void onRevoked();

    /**
     * Another participant leads: {@code leader} is its term as this participant found it (told once per term, and
     * again whenever a different term is found). Default: nothing.
     */
    default void onFollowing(LeaderTerm leader) {
    }
}
