package io.sluice.cli;

import io.sluice.nameserver.NameServerConfig;
import io.sluice.remoting.config.ConfigSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sluice standalone}: embedded ZooKeeper, a nameserver and brokers in one process. */
@Command(name = "standalone", mixinStandardHelpOptions = true,
        description = "Run an embedded ZooKeeper, a nameserver and a broker in one process, on 127.0.0.1.")
final class StandaloneCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;
    @Option(names = "--data-dir", defaultValue = "sluice-data", description = "Where data lives (default: ${DEFAULT-VALUE}).")
    Path dataDir;
    @Option(names = "--brokers", defaultValue = "1", description = "Brokers to run (default: ${DEFAULT-VALUE}).")
    int brokers;
    @Option(names = "--zookeeper-port", defaultValue = "2181", description = "(default: ${DEFAULT-VALUE})")
    int zookeeperPort;
    @Option(names = "--nameserver-port", description = "(default: 9876)")
    Integer nameserverPort;
    @Option(names = "--broker-port", description = "Port of broker 0; broker i uses this + 2*i (default: 9911).")
    Integer brokerPort;
    @Option(names = "--metrics-port", defaultValue = "9090", description = "Prometheus endpoint port, -1 to disable (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        options.put("sluice.nameserver.port", nameserverPort);
        options.put("sluice.broker.port", brokerPort);
        ConfigSource cfg = ServerConfigs.load(options.config, options.overrides);
        String host = "127.0.0.1";
        int basePort = ServerConfigs.broker(cfg).port();
        StandaloneSettings settings = new StandaloneSettings(host, dataDir, zookeeperPort, metricsPort, brokers,
                ServerConfigs.registry(cfg), ServerConfigs.nameserver(cfg).host(host)
                        .offsetsTopicReplicationFactor(cfg.getInt(NameServerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR,
                                StandaloneSettings.offsetsTopicReplicationFactor(brokers))),
                i -> ServerConfigs.broker(cfg).host(host).port(basePort == 0 ? 0 : basePort + 2 * i));
        Standalone standalone = Standalone.start(settings);
        System.out.println(standalone.readyLine());
        System.out.flush();
        ServerRunner.runUntilShutdown(standalone);
        return 0;
    }
}
