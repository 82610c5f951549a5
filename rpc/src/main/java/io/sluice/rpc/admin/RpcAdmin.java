package io.sluice.rpc.admin;

import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.ServiceInstance;
import io.sluice.registry.ServiceRegistry;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What {@code sluice rpc list} shows: every service in the registry with its providers (address, weight, version,
 * group, uptime) and its consumers. Stateless.
 */
public final class RpcAdmin {
    private RpcAdmin() {
    }

    /** Lists through a new registry session ("zookeeper://host:port"), closed before returning. */
    public static List<ServiceSummary> list(String registryAddress) {
        try (RegistryClient registry = RegistryClient.connect(new RegistryConfig().connect(registryAddress))) {
            return list(registry);
        }
    }

    /** Lists through an open registry session. */
    public static List<ServiceSummary> list(RegistryClient registry) {
        ServiceRegistry services = registry.services();
        List<ServiceSummary> out = new ArrayList<>();
        for (String key : services.services()) {
            List<ProviderSummary> providers = new ArrayList<>();
            for (ServiceInstance p : services.providers(key)) {
                providers.add(new ProviderSummary(p.instanceId(), p.address(), p.weight(), p.version(), p.group(),
                        p.startedAtMs(), p.metadata()));
            }
            out.add(new ServiceSummary(key, List.copyOf(providers), services.consumers(key)));
        }
        return out;
    }

    /** Prints {@code services} as a readable listing. */
    public static void print(List<ServiceSummary> services, PrintStream out, long nowMs) {
        if (services.isEmpty()) {
            out.println("no RPC services registered");
            return;
        }
        for (ServiceSummary s : services) {
            out.println("service " + s.serviceKey());
            out.println("  providers (" + s.providers().size() + "):");
            for (ProviderSummary p : s.providers()) {
                out.printf("    %-21s weight=%-5d version=%-8s group=%-8s uptime=%s%s%n", p.address(), p.weight(),
                        dash(p.version()), dash(p.group()), duration(p.uptimeMs(nowMs)),
                        p.metadata().containsKey("application") ? "  app=" + p.metadata().get("application") : "");
            }
            out.println("  consumers (" + s.consumers().size() + "):");
            for (Map<String, String> c : s.consumers()) {
                Map<String, String> rest = new TreeMap<>(c);
                String id = rest.remove(ServiceRegistry.CONSUMER_ID);
                out.println("    " + id + "  " + rest);
            }
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    static String duration(long ms) {
        long s = TimeUnit.MILLISECONDS.toSeconds(ms);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        if (s < 86_400) {
            return (s / 3600) + "h" + (s % 3600 / 60) + "m";
        }
        return (s / 86_400) + "d" + (s % 86_400 / 3600) + "h";
    }
}
