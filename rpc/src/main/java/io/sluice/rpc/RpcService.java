package io.sluice.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as the implementation of an RPC service, exported by {@link RpcServer} under the service key
 * (interface name, version, group) and registered with the given weight.
 *
 * <pre>{@code
 * @RpcService(version = "1.0", weight = 100)
 * class UserServiceImpl implements UserService { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RpcService {
    /** The exported interface; by default the class's only interface (ambiguity is an error at export). */
    Class<?> value() default void.class;

    String version() default "";

    String group() default "";

    /** Load-balancing weight of this provider instance, 1..10000. */
    int weight() default 100;
}
