package io.sluice.rpc.internal.discovery;

/**
 * Names of the metadata entries a provider puts in its registration, read by consumers and by {@code rpc list}.
 * Constants only.
 */
public final class ProviderMetadata {
    /** The provider's warm-up period in ms: its weight ramps up over this time after start. */
    public static final String WARMUP_MS = "warmup.ms";
    /** The interface's methods, comma separated (informational). */
    public static final String METHODS = "methods";
    /** The provider process's name (informational). */
    public static final String APPLICATION = "application";
    /** The Sluice RPC protocol the provider speaks. */
    public static final String PROTOCOL = "protocol";

    private ProviderMetadata() {
    }
}
