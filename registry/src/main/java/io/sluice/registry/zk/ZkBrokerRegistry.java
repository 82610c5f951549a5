package io.sluice.registry.zk;

import io.sluice.registry.BrokerRegistration;
import io.sluice.registry.BrokerRegistry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BrokerRegistry} on ZooKeeper: one {@link EphemeralNode} per broker this client registers, and a lazily
 * started {@link CachedTree} of {@code /brokers} for the live list.
 *
 * <p>A registration whose id is held by another session is refused unless that node names the same host:port,
 * in which case it is this broker's own stale node from before a restart (only one process can bind host:port)
 * and is taken over.
 *
 * <p>Thread-safe.
 */
public final class ZkBrokerRegistry implements BrokerRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkBrokerRegistry.class);

    private final ZkContext ctx;
    private final Map<Integer, EphemeralNode> registered = new ConcurrentHashMap<>();
    private final CachedTree<List<BrokerInfo>> tree;

    public ZkBrokerRegistry(ZkContext ctx) {
        this.ctx = ctx;
        this.tree = new CachedTree<>(ctx, ZkPaths.BROKERS, ZkBrokerRegistry::build, List.of());
    }

    @Override
    public synchronized void register(BrokerInfo broker) {
        validate(broker);
        byte[] data = Codec.encode(broker);
        EphemeralNode node = registered.get(broker.id);
        if (node != null) {
            node.setData(data);
            return;
        }
        String address = broker.host + ":" + broker.port;
        // A node held by another session at another address is either a second broker with this id (refused) or
        // this broker's crashed predecessor that listened elsewhere and whose session has not expired yet: wait
        // about one session timeout for it to go before refusing.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.config().sessionTimeoutMs() + 2_000L);
        boolean waitLogged = false;
        while (true) {
            node = new EphemeralNode(ctx, ZkPaths.broker(broker.id), data, existing -> {
                BrokerInfo other = Codec.decode(existing, BrokerInfo.class, ZkPaths.broker(broker.id));
                String otherAddress = other.host + ":" + other.port;
                if (!otherAddress.equals(address)) {
                    throw new SluiceException(ErrorCode.INVALID_CONFIG, "broker id " + broker.id
                            + " is already registered by " + otherAddress + "; give each broker a unique id");
                }
            });
            try {
                node.create();
                break;
            } catch (SluiceException e) {
                if (e.code() != ErrorCode.INVALID_CONFIG || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                if (!waitLogged) {
                    LOG.warn("{}; waiting up to {} ms in case it is a crashed predecessor whose session has not"
                            + " expired yet", e.getMessage(), ctx.config().sessionTimeoutMs() + 2_000L);
                    waitLogged = true;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        registered.put(broker.id, node);
        LOG.info("registered broker {} at {}", broker.id, address);
    }

    @Override
    public synchronized void unregister(int brokerId) {
        EphemeralNode node = registered.remove(brokerId);
        if (node != null) {
            node.close();
            LOG.info("unregistered broker {}", brokerId);
        }
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        return tree.start().current();
    }

    @Override
    public List<BrokerRegistration> registrations() {
        List<String> children;
        try {
            children = ctx.client().getChildren().forPath(ZkPaths.BROKERS);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw ctx.translate("list live brokers", e);
        }
        List<BrokerRegistration> out = new ArrayList<>(children.size());
        for (String child : children) {
            String path = ZkPaths.BROKERS + "/" + child;
            Stat stat = new Stat();
            byte[] data;
            try {
                data = ctx.client().getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException gone) {
                continue;
            } catch (Exception e) {
                throw ctx.translate("read " + path, e);
            }
            try {
                out.add(new BrokerRegistration(Codec.decode(data, BrokerInfo.class, path), stat.getEphemeralOwner()));
            } catch (SluiceException e) {
                LOG.warn("ignoring broker node: {}", e.getMessage());
            }
        }
        out.sort(Comparator.comparingInt(BrokerRegistration::id));
        return List.copyOf(out);
    }

    @Override
    public AutoCloseable watch(Consumer<List<BrokerInfo>> listener) {
        return tree.start().subscribe(listener);
    }

    private static void validate(BrokerInfo b) {
        if (b == null) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "broker info is missing");
        }
        if (b.id < 0) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "broker id " + b.id + " is invalid: must be >= 0");
        }
        if (b.host == null || b.host.isBlank()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "broker " + b.id + " has no host");
        }
        if (b.port < 1 || b.port > 65535) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "broker " + b.id + " port " + b.port
                    + " is invalid: must be 1..65535");
        }
    }

    private static List<BrokerInfo> build(CuratorCache cache) {
        List<BrokerInfo> out = new ArrayList<>();
        cache.stream().forEach((ChildData d) -> {
            String parent = d.getPath().substring(0, Math.max(0, d.getPath().lastIndexOf('/')));
            if (!parent.equals(ZkPaths.BROKERS) || d.getData() == null) {
                return;
            }
            try {
                out.add(Codec.decode(d.getData(), BrokerInfo.class, d.getPath()));
            } catch (SluiceException e) {
                LOG.warn("ignoring broker node: {}", e.getMessage());
            }
        });
        out.sort(Comparator.comparingInt(b -> b.id));
        return List.copyOf(out);
    }

    @Override
    public synchronized void close() {
        tree.close();
        registered.values().forEach(EphemeralNode::close);
        registered.clear();
    }
}
