package io.sluice.registry;

/**
 * One term of an election's leader as a participant saw it: who leads, with which epoch, and exactly which
 * ZooKeeper nodes stood for that term. Handed to {@link LeaderListener#onFollowing} and back to
 * {@link LeaderElection#evict}, which removes the leader node only if it still belongs to this very term.
 *
 * @param leaderId     the leading participant's id
 * @param epoch        the epoch the leader won
 * @param session      the ZooKeeper session holding the leader node (its ephemeral owner)
 * @param leaderVersion the leader node's data version when seen
 * @param epochVersion the epoch node's version when seen, -1 if it no longer matched {@code epoch} (a newer win
 *                     was under way): such a term cannot be evicted
 */
public record LeaderTerm(String leaderId, long epoch, long session, int leaderVersion, int epochVersion) {
}
