package io.sluice.cli;

import io.sluice.rpc.admin.RpcAdmin;
import io.sluice.rpc.demo.RpcDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** {@code sluice rpc list|demo}: RPC services in the registry, and a runnable demo. */
@Command(name = "rpc", mixinStandardHelpOptions = true, description = "List RPC services; run the RPC demo.",
        subcommands = {RpcCommand.ListServices.class, RpcCommand.Demo.class})
final class RpcCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A PrintStream view of a picocli writer, so output goes where the caller asked. */
    static PrintStream stream(PrintWriter writer) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                writer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writer.write(new String(b, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                writer.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List services, their providers (address, weight, version, uptime) and consumers.")
    static final class ListServices implements Runnable {
        @Option(names = "--registry", defaultValue = "zookeeper://127.0.0.1:2181",
                description = "Registry address (default: ${DEFAULT-VALUE}).")
        String registry;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintStream out = stream(spec.commandLine().getOut());
            RpcAdmin.print(RpcAdmin.list(registry), out, System.currentTimeMillis());
            out.flush();
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Start demo providers and call them, printing which provider answered and latencies.")
    static final class Demo implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--registry", description = "Registry address (default: an embedded ZooKeeper for the demo).")
        String registry;
        @Option(names = "--providers", defaultValue = "3", description = "(default: ${DEFAULT-VALUE})")
        int providers;
        @Option(names = "--calls", defaultValue = "1000", description = "(default: ${DEFAULT-VALUE})")
        int calls;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintStream out = stream(spec.commandLine().getOut());
            RpcDemo.Result result = RpcDemo.run(registry, providers, calls, out);
            out.flush();
            return result.failures() == 0 ? 0 : 1;
        }
    }
}
