package io.sluice.rpc.internal.discovery;

/**
 * The service key, the registry node name of an interface, version and group: {@code name[:version][@group]}, e.g.
 * {@code io.sluice.rpc.demo.UserService:1.0@blue}; made and read here only. Stateless.
 */
public final class ServiceKeys {
    private ServiceKeys() {
    }

    /** The key of {@code interfaceName} at {@code version} in {@code group} (either may be null or empty). */
    public static String key(String interfaceName, String version, String group) {
        StringBuilder sb = new StringBuilder(interfaceName);
        if (version != null && !version.isEmpty()) {
            sb.append(':').append(version);
        }
        if (group != null && !group.isEmpty()) {
            sb.append('@').append(group);
        }
        return sb.toString();
    }

    /** The interface name of a key. */
    public static String interfaceOf(String serviceKey) {
        int colon = serviceKey.indexOf(':');
        int at = serviceKey.indexOf('@');
        int end = colon >= 0 ? colon : at >= 0 ? at : serviceKey.length();
        return serviceKey.substring(0, end);
    }

    /** A key's version and group in words, e.g. {@code version "1.0", group "blue"} or {@code no version}. */
    public static String describe(String serviceKey) {
        String rest = serviceKey.substring(interfaceOf(serviceKey).length());
        int at = rest.indexOf('@');
        String version = at >= 0 ? rest.substring(0, at) : rest;
        String group = at >= 0 ? rest.substring(at + 1) : "";
        version = version.startsWith(":") ? version.substring(1) : version;
        return (version.isEmpty() ? "no version" : "version \"" + version + "\"")
                + (group.isEmpty() ? "" : ", group \"" + group + "\"");
    }
}
