package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing ("consistent-hash"): each endpoint owns {@value #VIRTUAL_NODES} points on a 64-bit ring
 * (hashes of "id#i"), and a call goes to the first point at or after the hash of its key, by default
 * {@code String.valueOf} of the first argument ({@link CallOptions#HASH_ARGUMENT} picks another). The ring holds
 * every endpoint of the service; points of endpoints that are not candidates (unusable, already tried) are skipped.
 * So when an endpoint leaves or fails, only the keys it owned move (to the next points on the ring), every other
 * key keeps its endpoint, and its keys come back when it does.
 * Hashes are FNV-1a over UTF-8 bytes, finished with the murmur3 64-bit mixer.
 *
 * <p>Thread-safe: the ring is immutable and rebuilt (and swapped) when the candidate set changes.
 */
public final class ConsistentHashLoadBalancer implements LoadBalancer {
    public static final int VIRTUAL_NODES = 160;

    private volatile Ring ring;

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        List<Endpoint> all = invocation.service() == null ? candidates : invocation.service().endpoints();
        Ring r = ring;
        if (r == null || !r.sameMembers(all)) {
            r = new Ring(all);
            ring = r;
        }
        Endpoint chosen = r.lookup(hash(key(invocation)), candidates);
        return chosen != null ? chosen : candidates.get(0);
    }

    static String key(Invocation invocation) {
        Object[] args = invocation.args();
        int index = invocation.options().get(CallOptions.HASH_ARGUMENT);
        if (args == null || args.length == 0) {
            return "";
        }
        return String.valueOf(args[Math.min(Math.max(0, index), args.length - 1)]);
    }

    /** FNV-1a 64 over the UTF-8 bytes, then the murmur3 finalizer for avalanche. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** The ring of one candidate set. Immutable. */
    private static final class Ring {
        private final List<Endpoint> members;
        private final TreeMap<Long, Endpoint> points = new TreeMap<>();

        Ring(List<Endpoint> candidates) {
            this.members = new ArrayList<>(candidates);
            for (Endpoint e : candidates) {
                for (int i = 0; i < VIRTUAL_NODES; i++) {
                    points.putIfAbsent(hash(e.id() + "#" + i), e);
                }
            }
        }

        boolean sameMembers(List<Endpoint> candidates) {
            if (candidates.size() != members.size()) {
                return false;
            }
            for (int i = 0; i < candidates.size(); i++) {
                if (candidates.get(i) != members.get(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The owner of {@code hash} among {@code candidates}: the first candidate point clockwise from it. */
        Endpoint lookup(long hash, List<Endpoint> candidates) {
            for (Map.Entry<Long, Endpoint> e : points.tailMap(hash, true).entrySet()) {
                if (candidates.contains(e.getValue())) {
                    return e.getValue();
                }
            }
            for (Map.Entry<Long, Endpoint> e : points.headMap(hash, false).entrySet()) {
                if (candidates.contains(e.getValue())) {
                    return e.getValue();
                }
            }
            return null;
        }
    }
}
