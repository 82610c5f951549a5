package io.sluice.rpc.demo;

import io.sluice.rpc.RpcService;

/** The demo provider: greets on behalf of a named provider. Stateless and thread-safe. */
@RpcService(version = "1.0")
public class GreetingServiceImpl implements GreetingService {
    private final String provider;

    public GreetingServiceImpl() {
        this("provider");
    }

    public GreetingServiceImpl(String provider) {
        this.provider = provider;
    }

    @Override
    public String greet(String name) {
        return "Hello " + name + " from " + provider;
    }

    /** The provider name inside a greeting, or the whole greeting if it has none. */
    public static String providerOf(String greeting) {
        int at = greeting.lastIndexOf(" from ");
        return at < 0 ? greeting : greeting.substring(at + 6);
    }
}
