package io.sluice.cli;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryConfig;

import java.nio.file.Path;
import java.util.function.IntFunction;

/** Settings of a {@link Standalone} process: where it listens, where it keeps data, how many brokers. */
public record StandaloneSettings(String host, Path dataDir, int zookeeperPort, int metricsPort, int brokers,
                                 RegistryConfig registry, NameServerConfig nameserver,
                                 IntFunction<BrokerConfig> brokerConfigs) {

    /** Broker {@code i}'s config, with its own id and data directory under the data dir. */
    public BrokerConfig brokerConfig(int i) {
        return brokerConfigs.apply(i).id(i).dataDir(dataDir.resolve("broker-" + i));
    }

    /**
     * The offsets topic's replication factor a standalone process of {@code brokers} brokers uses unless told
     * otherwise: all of them, up to the cluster default of 3, so that group coordination starts with it; with no
     * broker of its own (brokers run elsewhere) the cluster default.
     */
    public static int offsetsTopicReplicationFactor(int brokers) {
        int clusterDefault = NameServerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR_DEFAULT;
        return brokers <= 0 ? clusterDefault : Math.min(clusterDefault, brokers);
    }

    /** Everything on 127.0.0.1 with free ports, for tests. */
    public static StandaloneSettings forTests(Path dataDir, int brokers) {
        return new StandaloneSettings("127.0.0.1", dataDir, 0, -1, brokers, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1)
                        .offsetsTopicReplicationFactor(offsetsTopicReplicationFactor(brokers)),
                i -> new BrokerConfig().port(0).metricsPort(-1));
    }
}
