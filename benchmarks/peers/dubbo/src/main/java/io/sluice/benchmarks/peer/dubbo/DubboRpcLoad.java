package io.sluice.benchmarks.peer.dubbo;

import io.sluice.benchmarks.load.Emails;
import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.RpcCall;
import io.sluice.benchmarks.load.RpcRun;
import io.sluice.benchmarks.load.model.BenchUserService;
import io.sluice.benchmarks.load.model.BenchUserServiceImpl;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Dubbo consumer of the RPC comparison, in a JVM of its own: a reference to {@code dubbo://127.0.0.1:PORT}
 * (direct URL, no registry, hessian2, Dubbo's default single shared connection, timeout 3 s, no retries; the
 * loopback transport, since Dubbo's own client rewrites 127.0.0.1 to the machine's address), driven by
 * {@link RpcRun}. Exits 1 when an operation failed.
 */
public final class DubboRpcLoad {
    private DubboRpcLoad() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        ApplicationConfig application = new ApplicationConfig("sluice-bench-dubbo-consumer");
        application.setQosEnable(false);
        application.setMetadataType("local");
        ReferenceConfig<BenchUserService> reference = new ReferenceConfig<>();
        reference.setInterface(BenchUserService.class);
        reference.setUrl("dubbo://127.0.0.1:" + args.get("port"));
        reference.setTimeout(3_000);
        reference.setRetries(0);
        reference.setParameters(Map.of("serialization", "hessian2", "prefer.serialization", "hessian2",
                "client", LoopbackTransporter.NAME));
        DubboBootstrap bootstrap = DubboBootstrap.getInstance().application(application).reference(reference)
                .start();
        BenchUserService users = reference.get();
        Map<String, RpcCall> calls = new LinkedHashMap<>();
        calls.put("existUser", i -> users.existUser(Emails.of(i)));
        calls.put("createUser", i -> users.createUser(BenchUserServiceImpl.newUser(i)));
        calls.put("getUser", users::getUser);
        calls.put("listUser", i -> users.listUser((int) (i % 1000)));
        int failures = RpcRun.run(calls, args, System.out);
        bootstrap.stop();
        System.exit(failures == 0 ? 0 : 1);
    }
}
