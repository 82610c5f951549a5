package io.sluice.rpc.demo;

/** The demo service: a greeting that names the provider that made it. */
public interface GreetingService {
    String greet(String name);
}
