package io.sluice.registry.zk;

import io.sluice.registry.ServiceInstance;
import io.sluice.registry.ServiceRegistry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ServiceRegistry} on ZooKeeper: one {@link EphemeralNode} per provider or consumer this client registers,
 * and one {@link CachedTree} of {@code /services/<key>/providers} per subscription.
 *
 * <p>A provider registration whose instance id is held by another session is taken over if that node has the same
 * host:port (a restarted provider whose old session has not expired yet) and refused otherwise. Consumer
 * registrations always take over.
 *
 * <p>Thread-safe.
 */
public final class ZkServiceRegistry implements ServiceRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkServiceRegistry.class);

    private final ZkContext ctx;
    private final CuratorFramework client;
    private final Map<String, EphemeralNode> registered = new ConcurrentHashMap<>();
    private final Set<CachedTree<?>> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public ZkServiceRegistry(ZkContext ctx) {
        this.ctx = ctx;
        this.client = ctx.client();
    }

    @Override
    public synchronized void register(ServiceInstance instance) {
        validate(instance);
        String path = ZkPaths.provider(instance.serviceKey(), instance.instanceId());
        byte[] data = Codec.encode(toNode(instance));
        EphemeralNode node = registered.get(path);
        if (node != null) {
            node.setData(data);
            return;
        }
        node = new EphemeralNode(ctx, path, data, existing -> {
            ServiceInstance other = fromNode(Codec.decode(existing, StoredForms.ProviderNode.class, path));
            if (!other.address().equals(instance.address())) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "instance id '" + instance.instanceId()
                        + "' of service '" + instance.serviceKey() + "' is already registered by "
                        + other.address());
            }
        });
        node.create();
        registered.put(path, node);
        LOG.info("registered provider {} of {} at {}", instance.instanceId(), instance.serviceKey(),
                instance.address());
    }

    @Override
    public synchronized void unregister(ServiceInstance instance) {
        close(ZkPaths.provider(instance.serviceKey(), instance.instanceId()));
    }

    @Override
    public synchronized void registerConsumer(String serviceKey, String consumerId, Map<String, String> metadata) {
        ZkPaths.requireSegment("service key", serviceKey);
        ZkPaths.requireSegment("consumer id", consumerId);
        StoredForms.ConsumerNode stored = new StoredForms.ConsumerNode();
        stored.consumerId = consumerId;
        stored.metadata = metadata == null ? null : new TreeMap<>(metadata);
        String path = ZkPaths.consumer(serviceKey, consumerId);
        byte[] data = Codec.encode(stored);
        EphemeralNode node = registered.get(path);
        if (node != null) {
            node.setData(data);
            return;
        }
        node = new EphemeralNode(ctx, path, data, existing -> { });
        node.create();
        registered.put(path, node);
    }

    @Override
    public synchronized void unregisterConsumer(String serviceKey, String consumerId) {
        close(ZkPaths.consumer(serviceKey, consumerId));
    }

    private void close(String path) {
        EphemeralNode node = registered.remove(path);
        if (node != null) {
            node.close();
        }
    }

    @Override
    public List<String> services() {
        return sortedChildren(ZkPaths.SERVICES, "list services");
    }

    @Override
    public List<ServiceInstance> providers(String serviceKey) {
        ZkPaths.requireSegment("service key", serviceKey);
        String parent = ZkPaths.providers(serviceKey);
        List<ServiceInstance> out = new ArrayList<>();
        for (String id : sortedChildren(parent, "list providers of " + serviceKey)) {
            byte[] data = read(parent + "/" + id);
            if (data != null) {
                out.add(fromNode(Codec.decode(data, StoredForms.ProviderNode.class, parent + "/" + id)));
            }
        }
        return out;
    }

    @Override
    public List<Map<String, String>> consumers(String serviceKey) {
        ZkPaths.requireSegment("service key", serviceKey);
        String parent = ZkPaths.consumers(serviceKey);
        List<Map<String, String>> out = new ArrayList<>();
        for (String id : sortedChildren(parent, "list consumers of " + serviceKey)) {
            byte[] data = read(parent + "/" + id);
            if (data != null) {
                StoredForms.ConsumerNode c = Codec.decode(data, StoredForms.ConsumerNode.class, parent + "/" + id);
                Map<String, String> m = new LinkedHashMap<>();
                m.put(CONSUMER_ID, id);
                if (c.metadata != null) {
                    c.metadata.forEach(m::putIfAbsent);
                }
                out.add(Collections.unmodifiableMap(m));
            }
        }
        return out;
    }

    @Override
    public AutoCloseable subscribe(String serviceKey, Consumer<List<ServiceInstance>> listener) {
        ZkPaths.requireSegment("service key", serviceKey);
        String parent = ZkPaths.providers(serviceKey);
        CachedTree<List<ServiceInstance>> tree = new CachedTree<>(ctx, parent, cache -> build(parent, cache),
                List.of());
        subscriptions.add(tree);
        if (closed) {
            tree.close();
            throw new SluiceException(ErrorCode.CLIENT_CLOSED, "registry client is closed");
        }
        AutoCloseable sub = tree.start().subscribe(listener);
        return () -> {
            sub.close();
            tree.close();
            subscriptions.remove(tree);
        };
    }

    private static List<ServiceInstance> build(String parent, CuratorCache cache) {
        List<ServiceInstance> out = new ArrayList<>();
        cache.stream().forEach((ChildData d) -> {
            if (d.getData() == null || !d.getPath().startsWith(parent + "/")
                    || d.getPath().indexOf('/', parent.length() + 1) >= 0) {
                return;
            }
            try {
                out.add(fromNode(Codec.decode(d.getData(), StoredForms.ProviderNode.class, d.getPath())));
            } catch (SluiceException e) {
                LOG.warn("ignoring provider node: {}", e.getMessage());
            }
        });
        out.sort(Comparator.comparing(ServiceInstance::instanceId));
        return List.copyOf(out);
    }

    private List<String> sortedChildren(String path, String action) {
        ctx.requireConnected(action);
        try {
            List<String> names = new ArrayList<>(client.getChildren().forPath(path));
            names.sort(null);
            return names;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw ctx.translate(action, e);
        }
    }

    private byte[] read(String path) {
        try {
            return client.getData().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (Exception e) {
            throw ctx.translate("read " + path, e);
        }
    }

    private static void validate(ServiceInstance i) {
        ZkPaths.requireSegment("service key", i.serviceKey());
        ZkPaths.requireSegment("instance id", i.instanceId());
        if (i.host().isBlank()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "provider " + i.instanceId() + " of "
                    + i.serviceKey() + " has no host");
        }
        if (i.port() < 1 || i.port() > 65535) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "provider " + i.instanceId() + " of "
                    + i.serviceKey() + " port " + i.port() + " is invalid: must be 1..65535");
        }
        if (i.weight() < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "provider " + i.instanceId() + " of "
                    + i.serviceKey() + " weight " + i.weight() + " is invalid: must be >= 0");
        }
    }

    private static StoredForms.ProviderNode toNode(ServiceInstance i) {
        StoredForms.ProviderNode n = new StoredForms.ProviderNode();
        n.serviceKey = i.serviceKey();
        n.instanceId = i.instanceId();
        n.host = i.host();
        n.port = i.port();
        n.weight = i.weight();
        n.version = i.version();
        n.group = i.group();
        n.startedAtMs = i.startedAtMs();
        n.metadata = new TreeMap<>(i.metadata());
        return n;
    }

    private static ServiceInstance fromNode(StoredForms.ProviderNode n) {
        return new ServiceInstance(n.serviceKey == null ? "" : n.serviceKey, n.instanceId, n.host == null ? "" : n.host, n.port, n.weight,
                n.version, n.group, n.startedAtMs, n.metadata);
    }

    @Override
    public synchronized void close() {
        closed = true;
        subscriptions.forEach(CachedTree::close);
        subscriptions.clear();
        registered.values().forEach(EphemeralNode::close);
        registered.clear();
    }
}
