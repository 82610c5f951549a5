package io.sluice.cli;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.registry.RegistryClient;
import io.sluice.remoting.config.ConfigSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sluice broker}: one broker against a ZooKeeper ensemble. */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run a broker against a ZooKeeper ensemble.")
final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;
    @Option(names = "--registry", paramLabel = "HOST:PORT[,...]", description = "ZooKeeper ensemble (default: from config, 127.0.0.1:2181).")
    String registry;
    @Option(names = "--id", description = "Broker id (default: 0).")
    Integer id;
    @Option(names = "--port", description = "(default: 9911)")
    Integer port;
    @Option(names = "--data-dir", description = "(default: sluice-data/broker-0)")
    Path dataDir;
    @Option(names = "--metrics-port", description = "(default: 9912, -1 disables)")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        options.put("sluice.registry.connect", registry);
        options.put(BrokerConfig.ID, id);
        options.put(BrokerConfig.PORT, port);
        options.put(BrokerConfig.DATA_DIR, dataDir);
        options.put(BrokerConfig.METRICS_PORT, metricsPort);
        ConfigSource cfg = ServerConfigs.load(options.config, options.overrides);
        BrokerConfig config = ServerConfigs.broker(cfg);
        ServerRunner.serve("broker", config.host(), config.metricsPort(), (stack, meters) -> {
            RegistryClient registryClient = stack.add(RegistryClient.connect(ServerConfigs.registry(cfg)));
            BrokerServer broker = stack.add(new BrokerServer(config, registryClient, meters).start());
            return "Broker ready: id=" + broker.id() + " address=" + broker.address().getHostString() + ":"
                    + broker.address().getPort() + " data-dir=" + config.dataDir().toAbsolutePath();
        });
        return 0;
    }
}
