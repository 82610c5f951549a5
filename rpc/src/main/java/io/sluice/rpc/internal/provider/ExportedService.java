package io.sluice.rpc.internal.provider;

import io.sluice.rpc.internal.invoke.ServiceRef;
import io.sluice.rpc.internal.serialize.RpcSerializer;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One service a provider exports: the interface, version, group and weight under which it is registered, the
 * implementation object, and its methods by name. Immutable and thread-safe (the implementation's own
 * thread-safety is its author's business: it is called from the business pool's threads concurrently).
 */
public final class ExportedService {
    private final Class<?> type;
    private final Object implementation;
    private final String version;
    private final String group;
    private final int weight;
    private final String serviceKey;
    private final Map<String, List<ExportedMethod>> methods;

    public ExportedService(Class<?> type, Object implementation, String version, String group, int weight,
                           RpcSerializer serializer) {
        this.type = type;
        this.implementation = implementation;
        this.version = version == null ? "" : version;
        this.group = group == null ? "" : group;
        this.weight = weight;
        this.serviceKey = ServiceRef.key(type.getName(), this.version, this.group);
        Map<String, List<ExportedMethod>> byName = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            byName.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(new ExportedMethod(m, serializer));
        }
        Map<String, List<ExportedMethod>> frozen = new HashMap<>();
        byName.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        this.methods = Map.copyOf(frozen);
    }

    public Class<?> type() {
        return type;
    }

    public Object implementation() {
        return implementation;
    }

    public String version() {
        return version;
    }

    public String group() {
        return group;
    }

    public int weight() {
        return weight;
    }

    public String serviceKey() {
        return serviceKey;
    }

    /**
     * The method called {@code name} with exactly these parameter type names; with no names given, the only
     * method of that name. Null if there is none.
     */
    public ExportedMethod find(String name, List<String> parameterTypes) {
        List<ExportedMethod> candidates = methods.get(name);
        if (candidates == null) {
            return null;
        }
        if (parameterTypes == null || parameterTypes.isEmpty()) {
            for (ExportedMethod m : candidates) {
                if (m.parameterTypes().length == 0) {
                    return m;
                }
            }
            return candidates.size() == 1 ? candidates.get(0) : null;
        }
        for (int i = 0, n = candidates.size(); i < n; i++) {
            ExportedMethod m = candidates.get(i);
            if (m.parameterTypeNames().equals(parameterTypes)) {
                return m;
            }
        }
        return null;
    }

    /** Every method signature, sorted, for error messages and registration metadata. */
    public List<String> signatures() {
        TreeSet<String> all = new TreeSet<>();
        methods.values().forEach(list -> list.forEach(m -> all.add(m.signature())));
        return List.copyOf(all);
    }

    /** The method names, sorted and comma separated. */
    public String methodNames() {
        return String.join(",", new TreeSet<>(methods.keySet()));
    }
}
