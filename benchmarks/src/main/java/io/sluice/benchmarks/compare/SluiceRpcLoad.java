package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.Emails;
import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.RpcCall;
import io.sluice.benchmarks.load.RpcRun;
import io.sluice.rpc.RpcClient;
import io.sluice.rpc.demo.UserService;
import io.sluice.rpc.demo.UserServiceImpl;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Sluice RPC consumer of the comparison, in a JVM of its own: a stub of {@link UserService} on
 * {@code rpc://127.0.0.1:PORT} (direct, no registry; timeout 3 s, no retries, like the peers), driven by
 * {@link RpcRun}. Exits 1 when an operation failed.
 */
public final class SluiceRpcLoad {
    private SluiceRpcLoad() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        int failures;
        try (RpcClient client = RpcClient.builder().registry("rpc://127.0.0.1:" + args.get("port")).build()) {
            UserService users = client.stub(UserService.class, o -> o.version("1.0")
                    .timeout(Duration.ofSeconds(3)).retries(0));
            Map<String, RpcCall> calls = new LinkedHashMap<>();
            calls.put("existUser", i -> users.existUser(Emails.of(i)));
            calls.put("createUser", i -> users.createUser(UserServiceImpl.newUser(i)));
            calls.put("getUser", users::getUser);
            calls.put("listUser", i -> users.listUser((int) (i % 1000)));
            failures = RpcRun.run(calls, args, System.out);
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
