package io.sluice.rpc.internal.provider;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services a provider exports, found by interface name, version and group without building a key string per
 * request. Thread-safe: services are added before the server starts and read concurrently after.
 */
public final class ServiceTable {
    private final ConcurrentHashMap<String, ExportedService[]> byInterface = new ConcurrentHashMap<>();

    public synchronized void add(ExportedService service) {
        ExportedService[] existing = byInterface.getOrDefault(service.type().getName(), new ExportedService[0]);
        for (ExportedService e : existing) {
            if (e.serviceKey().equals(service.serviceKey())) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "service " + service.serviceKey()
                        + " is exported twice");
            }
        }
        ExportedService[] next = java.util.Arrays.copyOf(existing, existing.length + 1);
        next[existing.length] = service;
        byInterface.put(service.type().getName(), next);
    }

    /** The service exported under exactly this interface, version and group, or null. */
    public ExportedService find(String interfaceName, String version, String group) {
        if (interfaceName == null) {
            return null;
        }
        ExportedService[] candidates = byInterface.get(interfaceName);
        if (candidates == null) {
            return null;
        }
        String v = version == null ? "" : version;
        String g = group == null ? "" : group;
        for (ExportedService s : candidates) {
            if (Objects.equals(s.version(), v) && Objects.equals(s.group(), g)) {
                return s;
            }
        }
        return null;
    }

    /** Keys of the services exported under {@code interfaceName} (any version or group), for error messages. */
    public List<String> keysOf(String interfaceName) {
        List<String> keys = new ArrayList<>();
        ExportedService[] candidates = interfaceName == null ? null : byInterface.get(interfaceName);
        if (candidates != null) {
            for (ExportedService s : candidates) {
                keys.add(s.serviceKey());
            }
        }
        return keys;
    }

    public List<ExportedService> all() {
        List<ExportedService> all = new ArrayList<>();
        for (ExportedService[] group : byInterface.values()) {
            all.addAll(List.of(group));
        }
        return all;
    }

    public Collection<String> interfaces() {
        return byInterface.keySet();
    }
}
