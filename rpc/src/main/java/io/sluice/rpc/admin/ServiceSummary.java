package io.sluice.rpc.admin;

import java.util.List;
import java.util.Map;

/** One service key with its live providers and consumers. Immutable. */
public record ServiceSummary(String serviceKey, List<ProviderSummary> providers, List<Map<String, String>> consumers) {
}
