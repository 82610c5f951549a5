package io.sluice.cli;

import io.sluice.registry.EmbeddedZooKeeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sluice zookeeper}: a single ZooKeeper server for a local cluster. */
@Command(name = "zookeeper", mixinStandardHelpOptions = true,
        description = "Run a single-node ZooKeeper server on 127.0.0.1 for a local cluster.")
final class ZooKeeperCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "2181", description = "(default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--data-dir", defaultValue = "sluice-data/zookeeper", description = "(default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, "127.0.0.1", port);
        System.out.println("ZooKeeper ready: " + zk.connectString() + " data-dir=" + dataDir.toAbsolutePath());
        System.out.flush();
        ServerRunner.runUntilShutdown(zk);
        return 0;
    }
}
