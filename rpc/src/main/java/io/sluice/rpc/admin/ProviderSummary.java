package io.sluice.rpc.admin;

import java.util.Map;

/** One provider of a service as the registry lists it. Immutable. */
public record ProviderSummary(String instanceId, String address, int weight, String version, String group,
                              long startedAtMs, Map<String, String> metadata) {
    /** Time since the provider started, at {@code nowMs}. */
    public long uptimeMs(long nowMs) {
        return startedAtMs <= 0 ? 0 : Math.max(0, nowMs - startedAtMs);
    }
}
