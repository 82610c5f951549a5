package io.sluice.cli;

import io.sluice.nameserver.NameServer;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryClient;
import io.sluice.remoting.config.ConfigSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code sluice nameserver}: serves routes from the registry. */
@Command(name = "nameserver", mixinStandardHelpOptions = true,
        description = "Run a nameserver against a ZooKeeper ensemble.")
final class NameServerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;
    @Option(names = "--registry", paramLabel = "HOST:PORT[,...]", description = "ZooKeeper ensemble (default: from config, 127.0.0.1:2181).")
    String registry;
    @Option(names = "--port", description = "(default: 9876)")
    Integer port;
    @Option(names = "--metrics-port", description = "(default: 9877, -1 disables)")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        options.put("sluice.registry.connect", registry);
        options.put(NameServerConfig.PORT, port);
        options.put(NameServerConfig.METRICS_PORT, metricsPort);
        ConfigSource cfg = ServerConfigs.load(options.config, options.overrides);
        NameServerConfig config = ServerConfigs.nameserver(cfg);
        ServerRunner.serve("nameserver", config.host(), config.metricsPort(), (stack, meters) -> {
            RegistryClient registryClient = stack.add(RegistryClient.connect(ServerConfigs.registry(cfg)));
            NameServer ns = stack.add(new NameServer(config, registryClient, meters).start());
            return "Nameserver ready: " + ns.address().getHostString() + ":" + ns.address().getPort()
                    + " registry=" + ServerConfigs.registry(cfg).connectString();
        });
        return 0;
    }
}
