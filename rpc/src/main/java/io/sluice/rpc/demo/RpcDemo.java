package io.sluice.rpc.demo;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.RpcClient;
import io.sluice.rpc.RpcServer;
import io.sluice.rpc.RpcServerConfig;
import io.sluice.rpc.admin.RpcAdmin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The runnable RPC example behind {@code sluice rpc demo}: starts {@code providers} providers of
 * {@link GreetingService} (each in this JVM with its own port and registry session), a consumer that discovers
 * them through the registry and calls {@code calls} times, then prints which provider answered (the first calls
 * one by one, then the count per provider) and the latency percentiles. Without a registry address it runs an
 * embedded ZooKeeper on 127.0.0.1 for the duration.
 */
public final class RpcDemo {
    /** At most this many calls, so the latency array stays small. */
    public static final int MAX_CALLS = 1_000_000;
    private static final int SHOWN_CALLS = 6;

    private RpcDemo() {
    }

    /** What the demo did, for callers that check it. */
    public record Result(int calls, int failures, Map<String, Integer> answersByProvider, long p50Micros,
                         long p99Micros) {
    }

    public static void main(String[] args) {
        String registry = args.length > 0 && !args[0].equals("-") ? args[0] : null;
        int providers = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        run(registry, providers, calls, System.out);
    }

    /**
     * Runs the demo. {@code registryAddress} is "zookeeper://host:port", or null for an embedded ZooKeeper.
     * Throws INVALID_CONFIG for counts out of range.
     */
    public static Result run(String registryAddress, int providers, int calls, PrintStream out) {
        if (providers < 1 || providers > 16) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "--providers must be 1..16, got " + providers);
        }
        if (calls < 1 || calls > MAX_CALLS) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "--calls must be 1.." + MAX_CALLS + ", got " + calls);
        }
        Path zkDir = null;
        EmbeddedZooKeeper zk = null;
        List<RpcServer> servers = new ArrayList<>();
        try {
            String address = registryAddress;
            if (address == null || address.isBlank()) {
                zkDir = Files.createTempDirectory("sluice-rpc-demo");
                zk = EmbeddedZooKeeper.start(zkDir, "127.0.0.1", 0);
                address = "zookeeper://" + zk.connectString();
                out.println("started an embedded ZooKeeper on " + zk.connectString());
            }
            for (int i = 1; i <= providers; i++) {
                RpcServer server = RpcServer.builder()
                        .registry(new RegistryConfig().connect(address))
                        .config(new RpcServerConfig().host("127.0.0.1").port(0).warmupMs(0).unregisterGraceMs(200)
                                .application("rpc-demo"))
                        .service(GreetingService.class, new GreetingServiceImpl("provider-" + i), "1.0", "", 100)
                        .start();
                servers.add(server);
                out.println("provider-" + i + " serving " + server.serviceKeys() + " on " + server.address());
            }
            try (RpcClient client = RpcClient.builder().registry(new RegistryConfig().connect(address))
                    .build()) {
                GreetingService greetings = client.stub(GreetingService.class, o -> o.version("1.0")
                        .loadBalancer("round-robin").timeout(Duration.ofSeconds(3)));
                awaitProviders(client, providers);
                RpcAdmin.print(RpcAdmin.list(address), out, System.currentTimeMillis());
                return callAndReport(greetings, calls, out);
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.DATA_DIR_NOT_WRITABLE, "cannot create a temporary directory for the"
                    + " embedded ZooKeeper: " + e.getMessage(), e);
        } finally {
            for (RpcServer server : servers) {
                server.close();
            }
            if (zk != null) {
                zk.close();
            }
            deleteQuietly(zkDir);
        }
    }

    private static void awaitProviders(RpcClient client, int providers) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.providers(GreetingService.class.getName(), "1.0", "").size() < providers
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Result callAndReport(GreetingService greetings, int calls, PrintStream out) {
        long[] latencies = new long[calls];
        Map<String, Integer> byProvider = new TreeMap<>();
        int failures = 0;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            try {
                String answer = greetings.greet("caller-" + i);
                latencies[i] = System.nanoTime() - t0;
                byProvider.merge(GreetingServiceImpl.providerOf(answer), 1, Integer::sum);
                if (i < SHOWN_CALLS) {
                    out.println("call " + (i + 1) + ": " + answer);
                }
            } catch (SluiceException e) {
                latencies[i] = System.nanoTime() - t0;
                failures++;
                if (failures <= SHOWN_CALLS) {
                    out.println("call " + (i + 1) + " failed: " + e);
                }
            }
        }
        long elapsedNs = System.nanoTime() - start;
        Arrays.sort(latencies);
        out.println();
        out.printf("%d calls in %d ms (%.0f calls/s), %d failed%n", calls, TimeUnit.NANOSECONDS.toMillis(elapsedNs),
                calls * 1e9 / Math.max(1, elapsedNs), failures);
        byProvider.forEach((provider, n) -> out.printf("  %-12s answered %6d calls (%.1f%%)%n", provider, n,
                100.0 * n / calls));
        out.printf("latency (us): p50=%d p90=%d p99=%d p99.9=%d max=%d%n", micros(latencies, 0.50),
                micros(latencies, 0.90), micros(latencies, 0.99), micros(latencies, 0.999),
                TimeUnit.NANOSECONDS.toMicros(latencies[calls - 1]));
        return new Result(calls, failures, byProvider, micros(latencies, 0.50), micros(latencies, 0.99));
    }

    private static long micros(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return TimeUnit.NANOSECONDS.toMicros(sorted[Math.max(0, index)]);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
