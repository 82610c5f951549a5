package io.sluice.registry.zk;

import io.sluice.registry.LeaderElection;
import io.sluice.registry.LeaderListener;
import io.sluice.registry.LeaderTerm;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LeaderElection} on ZooKeeper. The leader holds the ephemeral node {@code /<name>} (its id and epoch);
 * winning is one transaction that creates that node and bumps {@code /<name>_epoch} conditionally on its version,
 * so two participants can never win the same epoch. Followers watch the leader node and compete again when it goes.
 * After a reconnect within the same session the participant still holds the node and re-claims it, again with a new
 * epoch. The epoch node's version at the win is kept as this term's {@link Fence}. A follower reports each leader term
 * it finds ({@link LeaderListener#onFollowing}) with the versions that identify it, so that {@link #evict} can remove
 * exactly that term's node once the leader's process is known to be gone.
 *
 * <p>Thread-safe: ZooKeeper steps run on the worker thread under this object's lock; {@link #isLeader()},
 * {@link #epoch()} and {@link #leaderId()} read volatile state; revocation on a suspended connection does not wait
 * for the lock. Listener calls run on the notifier thread.
 */
public final class ZkLeaderElection implements LeaderElection {
    private static final Logger LOG = LoggerFactory.getLogger(ZkLeaderElection.class);
    private static final int ATTEMPTS_PER_ROUND = 5;

    /** What a fenced write checks: the epoch node's version when this participant won {@code epoch}. */
    public record Fence(String epochPath, int epochVersion, long epoch) {
    }

    private record Term(long epoch, int epochVersion, String leaderId) {
    }

    private final ZkContext ctx;
    private final CuratorFramework client;
    private final String name;
    private final String participantId;
    private final String leaderPath;
    private final String epochPath;
    private final CopyOnWriteArrayList<Holder> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean attemptPending = new AtomicBoolean();
    private final AtomicBoolean leader = new AtomicBoolean();
    private final CuratorWatcher watcher = this::onWatch;
    private final ConnectionStateListener stateListener = this::onStateChange;
    private volatile Term term = new Term(0, -1, null);
    /** The other participant's term last found while following, null while leading or before any was found. */
    private volatile LeaderTerm followed;
    private volatile boolean closed;
    private boolean started;

    public ZkLeaderElection(ZkContext ctx, String name, String participantId) {
        this.ctx = ctx;
        this.client = ctx.client();
        this.name = ZkPaths.requireSegment("election name", name);
        this.participantId = ZkPaths.requireSegment("participant id", participantId);
        this.leaderPath = ZkPaths.election(name);
        this.epochPath = ZkPaths.electionEpoch(name);
    }

    @Override
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        ctx.addStateListener(stateListener);
        scheduleAttempt(0);
    }

    @Override
    public boolean isLeader() {
        return leader.get();
    }

    @Override
    public long epoch() {
        return term.epoch();
    }

    @Override
    public String leaderId() {
        return term.leaderId();
    }

    @Override
    public String participantId() {
        return participantId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void addListener(LeaderListener listener) {
        Holder holder = new Holder(listener);
        ctx.post("add leader listener", () -> {
            listeners.add(holder);
            LeaderTerm other = followed;
            if (leader.get()) {
                holder.elected(term.epoch());
            } else if (other != null) {
                holder.following(other);
            }
        });
    }

    /** The current term for a fenced write; STALE_CONTROLLER_EPOCH if this participant does not lead. */
    Fence fence() {
        Term t = term;
        if (!leader.get() || t.epochVersion() < 0) {
            throw new SluiceException(ErrorCode.STALE_CONTROLLER_EPOCH, "participant '" + participantId
                    + "' does not lead election '" + name + "'");
        }
        return new Fence(epochPath, t.epochVersion(), t.epoch());
    }

    SluiceException staleEpoch(Fence fence) {
        return new SluiceException(ErrorCode.STALE_CONTROLLER_EPOCH, "participant '" + participantId
                + "' no longer leads election '" + name + "': its epoch " + fence.epoch() + " was superseded");
    }

    private void scheduleAttempt(long delayMs) {
        if (!closed && attemptPending.compareAndSet(false, true)) {
            ctx.work("election " + name, () -> {
                attemptPending.set(false);
                attempt();
            }, delayMs);
        }
    }

    private void onWatch(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.None) {
            scheduleAttempt(0);
        }
    }

    private void onStateChange(CuratorFramework c, ConnectionState state) {
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            if (revoke()) {
                LOG.warn("{} gave up leadership of '{}': registry connection {}", participantId, name, state);
            }
        } else if (state == ConnectionState.RECONNECTED) {
            scheduleAttempt(0);
        }
    }

    private synchronized void attempt() {
        if (closed) {
            return;
        }
        try {
            for (int i = 0; i < ATTEMPTS_PER_ROUND; i++) {
                if (tryOnce()) {
                    return;
                }
            }
            scheduleAttempt(ctx.config().retryBaseMs());
        } catch (Exception e) {
            LOG.warn("election '{}' attempt by {} failed ({}); retrying", name, participantId, e.toString());
            scheduleAttempt(ctx.config().retryMaxMs());
        }
    }

    /** One round: follow the current leader, or claim leadership with a new epoch. True once settled. */
    private boolean tryOnce() throws Exception {
        long session = ctx.sessionId();
        Stat leaderStat = new Stat();
        StoredForms.LeaderNode current = readLeader(leaderStat);
        if (current != null && leaderStat.getEphemeralOwner() != session) {
            revoke();
            term = new Term(current.epoch, -1, current.participantId);
            follow(new LeaderTerm(current.participantId, current.epoch, leaderStat.getEphemeralOwner(),
                    leaderStat.getVersion(), epochVersionOf(current.epoch)));
            return true;
        }
        if (current != null && leader.get() && current.epoch == term.epoch()) {
            return true;
        }
        revoke();
        Stat epochStat = new Stat();
        long next = readEpoch(epochStat) + 1;
        StoredForms.LeaderNode mine = new StoredForms.LeaderNode();
        mine.participantId = participantId;
        mine.epoch = next;
        StoredForms.EpochNode epochNode = new StoredForms.EpochNode();
        epochNode.epoch = next;
        CuratorOp claim = current == null
                ? client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(leaderPath, Codec.encode(mine))
                : client.transactionOp().setData().withVersion(leaderStat.getVersion())
                        .forPath(leaderPath, Codec.encode(mine));
        List<CuratorTransactionResult> results;
        try {
            results = client.transaction().forOperations(claim, client.transactionOp().setData()
                    .withVersion(epochStat.getVersion()).forPath(epochPath, Codec.encode(epochNode)));
        } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException
                | KeeperException.NoNodeException raced) {
            return false;
        }
        client.checkExists().usingWatcher(watcher).forPath(leaderPath);
        term = new Term(next, results.get(1).getResultStat().getVersion(), participantId);
        followed = null;
        if (leader.compareAndSet(false, true)) {
            LOG.info("{} leads '{}' with epoch {}", participantId, name, next);
            ctx.post("leader elected", () -> listeners.forEach(h -> h.elected(next)));
        }
        return true;
    }

    /** The leader node (with a watch set), or null if there is none. */
    private StoredForms.LeaderNode readLeader(Stat stat) throws Exception {
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).usingWatcher(watcher).forPath(leaderPath);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        try {
            return Codec.decode(data, StoredForms.LeaderNode.class, leaderPath);
        } catch (SluiceException e) {
            LOG.warn("election '{}': {}", name, e.getMessage());
            StoredForms.LeaderNode unknown = new StoredForms.LeaderNode();
            unknown.participantId = "?";
            return unknown;
        }
    }

    /** Tells listeners about a leader term found while following, unless it is the one found last. */
    private void follow(LeaderTerm found) {
        if (found.equals(followed)) {
            return;
        }
        followed = found;
        ctx.post("leader found", () -> listeners.forEach(h -> h.following(found)));
    }

    /** The epoch node's version if it still holds {@code epoch}, else -1 (a newer win is under way). */
    private int epochVersionOf(long epoch) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(epochPath);
            return Codec.decode(data, StoredForms.EpochNode.class, epochPath).epoch == epoch ? stat.getVersion() : -1;
        } catch (KeeperException.NoNodeException | SluiceException e) {
            return -1;
        }
    }

    @Override
    public boolean evict(LeaderTerm stale) {
        if (stale.epochVersion() < 0) {
            return false;
        }
        try {
            if (stale.session() == ctx.sessionId()) {
                return false;
            }
            Stat stat = client.checkExists().forPath(leaderPath);
            if (stat == null || stat.getEphemeralOwner() != stale.session()
                    || stat.getVersion() != stale.leaderVersion()) {
                return false;
            }
            client.transaction().forOperations(
                    client.transactionOp().check().withVersion(stale.epochVersion()).forPath(epochPath),
                    client.transactionOp().delete().withVersion(stale.leaderVersion()).forPath(leaderPath));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
            return false;
        } catch (Exception e) {
            throw ctx.translate("evict the leader of '" + name + "'", e);
        }
        LOG.warn("{} removed the leader node of '{}' held by {} (epoch {}, session 0x{}): its process is gone; "
                + "electing a new leader now instead of when that session expires", participantId, name,
                stale.leaderId(), stale.epoch(), Long.toHexString(stale.session()));
        scheduleAttempt(0);
        return true;
    }

    /** The last epoch (0 for a new election, whose epoch node this creates). */
    private long readEpoch(Stat stat) throws Exception {
        for (int i = 0; i < 2; i++) {
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(epochPath);
                return Codec.decode(data, StoredForms.EpochNode.class, epochPath).epoch;
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                            .forPath(epochPath, Codec.encode(new StoredForms.EpochNode()));
                } catch (KeeperException.NodeExistsException raced) {
                    // another participant created it
                }
            }
        }
        throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "epoch node " + epochPath + " keeps vanishing");
    }

    /** Marks this participant as not leading; true (and listeners told) if it was. */
    private boolean revoke() {
        if (leader.compareAndSet(true, false)) {
            ctx.post("leader revoked", () -> listeners.forEach(Holder::revoked));
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        ctx.removeStateListener(stateListener);
        synchronized (this) {
            if (leader.get() && client.getZookeeperClient().isConnected()) {
                try {
                    Stat stat = client.checkExists().forPath(leaderPath);
                    if (stat != null && stat.getEphemeralOwner() == ctx.sessionId()) {
                        client.delete().withVersion(stat.getVersion()).forPath(leaderPath);
                    }
                } catch (Exception e) {
                    LOG.debug("could not resign '{}' ({}); it goes with the session", name, e.toString());
                }
            }
            if (revoke()) {
                LOG.info("{} resigned leadership of '{}'", participantId, name);
            }
        }
    }

    @Override
    public String toString() {
        return "LeaderElection{" + name + ", participant=" + participantId + ", leader=" + leader.get()
                + ", epoch=" + term.epoch() + "}";
    }

    /** One listener and what it was last told, so it never hears the same news twice. Notifier thread only. */
    private static final class Holder {
        private final LeaderListener listener;
        private boolean leading;
        private long epoch;
        private LeaderTerm followed;

        Holder(LeaderListener listener) {
            this.listener = listener;
        }

        void elected(long newEpoch) {
            if (leading && epoch == newEpoch) {
                return;
            }
            leading = true;
            epoch = newEpoch;
            followed = null;
            try {
                listener.onElected(newEpoch);
            } catch (Throwable t) {
                LOG.warn("leader listener threw in onElected({})", newEpoch, t);
            }
        }

        void following(LeaderTerm term) {
            if (term.equals(followed)) {
                return;
            }
            followed = term;
            try {
                listener.onFollowing(term);
            } catch (Throwable t) {
                LOG.warn("leader listener threw in onFollowing({})", term, t);
            }
        }

        void revoked() {
            if (!leading) {
                return;
            }
            leading = false;
            try {
                listener.onRevoked();
            } catch (Throwable t) {
                LOG.warn("leader listener threw in onRevoked()", t);
            }
        }
    }
}
