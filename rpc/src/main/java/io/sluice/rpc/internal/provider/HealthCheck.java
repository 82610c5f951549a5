package io.sluice.rpc.internal.provider;

/**
 * The built-in service every provider exports (never registered): its self-check calls {@code ping} through its
 * own port before it registers, exercising the dispatcher, the business pool and the serializer.
 */
public interface HealthCheck {
    String PONG = "pong";

    String ping(String token);

    /** The implementation: echoes the token after "pong:". Stateless. */
    final class Impl implements HealthCheck {
        @Override
        public String ping(String token) {
            return PONG + ":" + token;
        }
    }
}
