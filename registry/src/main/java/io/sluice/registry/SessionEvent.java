package io.sluice.registry;

/**
 * A change of a {@link RegistryClient}'s ZooKeeper connection, as {@link RegistryClient#addSessionListener} reports
 * it. What a listener may still rely on differs: after {@link #SUSPENDED} the session may live on at the server
 * (until the session timeout passes without this client being heard), but nothing read from the registry can be
 * trusted to be current any more; after {@link #LOST} the session and its ephemeral nodes are gone.
 */
public enum SessionEvent {
    /** The connection dropped (or turned read-only); the session may still be alive at the server. */
    SUSPENDED,
    /** The session is gone: expired at the server, or given up by the client after the session timeout. */
    LOST,
    /** Connected again with the same session: its ephemeral nodes never went away. */
    RECONNECTED,
    /** Connected with a new session after the old one was lost: ephemeral registrations are being re-created. */
    NEW_SESSION
}
