package io.sluice.cli;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.remoting.config.ConfigSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sluice zookeeper}: a single ZooKeeper server for a local cluster. */
@Command(name = "zookeeper", mixinStandardHelpOptions = true,
        description = "Run a single-node ZooKeeper server on 127.0.0.1 for a local cluster.")
final class ZooKeeperCommand implements Callable<Integer> {
    static final String PORT = "sluice.zookeeper.port";
    static final String DATA_DIR = "sluice.zookeeper.data.dir";

    @Mixin
    ServerOptions options;
    @Option(names = "--port", description = "(default: from config, 2181)")
    Integer port;
    @Option(names = "--data-dir", description = "(default: from config, sluice-data/zookeeper)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        options.put(PORT, port);
        options.put(DATA_DIR, dataDir);
        ConfigSource cfg = ServerConfigs.load(options.config, options.overrides);
        Path dir = Path.of(cfg.getString(DATA_DIR, "sluice-data/zookeeper"));
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", cfg.getInt(PORT, 2181));
        System.out.println("ZooKeeper ready: " + zk.connectString() + " data-dir=" + dir.toAbsolutePath());
        System.out.flush();
        ServerRunner.runUntilShutdown(zk);
        return 0;
    }
}
