package io.sluice.rpc.internal.discovery;

import io.sluice.registry.ServiceInstance;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a direct provider list, {@code rpc://host:port[,host:port...]}, into the instances a registry would have
 * listed (weight 100, no warm-up). Stateless.
 */
public final class DirectAddresses {
    public static final String SCHEME = "rpc://";

    private DirectAddresses() {
    }

    /** INVALID_CONFIG naming the address if it is malformed. */
    public static List<ServiceInstance> parse(String serviceKey, String url) {
        if (url == null || !url.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw invalid(url, "must start with " + SCHEME);
        }
        String rest = url.substring(SCHEME.length());
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        List<ServiceInstance> out = new ArrayList<>();
        for (String part : rest.split(",")) {
            String hp = part.trim();
            int colon = hp.lastIndexOf(':');
            if (colon <= 0 || colon == hp.length() - 1) {
                throw invalid(url, "each provider must be host:port");
            }
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(url, "'" + hp.substring(colon + 1) + "' is not a port");
            }
            if (port < 1 || port > 65535) {
                throw invalid(url, "port " + port + " is outside 1..65535");
            }
            out.add(ServiceInstance.builder(serviceKey).address(hp.substring(0, colon), port).startedAtMs(0).build());
        }
        return out;
    }

    private static SluiceException invalid(String url, String why) {
        return new SluiceException(ErrorCode.INVALID_CONFIG, "direct provider address '" + url + "' is invalid: "
                + why + " (e.g. rpc://127.0.0.1:20880,127.0.0.1:20881)");
    }
}
