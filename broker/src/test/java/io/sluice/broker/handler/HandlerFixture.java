package io.sluice.broker.handler;

import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.LogManager;
import io.sluice.broker.partition.PartitionAssignment;
import io.sluice.broker.partition.PartitionListener;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.RemotingServer;
import io.sluice.remoting.transport.RequestHandler;
import io.sluice.remoting.transport.TransportConfig;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One broker's partitions on real Chronicle logs, one request handler serving them on a loopback server, and a
 * client connected to it: what the multi-partition handler tests share. Topics are assigned with
 * {@link PartitionManager#applyTopic}, using the assignments below.
 */
final class HandlerFixture implements AutoCloseable {
    final int broker;
    final LogManager logs;
    final PartitionManager partitions;
    RemotingServer server;
    RemotingClient client;
    Connection connection;

    HandlerFixture(Path dir, int broker) {
        this.broker = broker;
        this.logs = new LogManager(dir.resolve("data"), LogConfig.defaults(), Clock.systemUTC());
        this.partitions = new PartitionManager(broker, logs, LogConfig.defaults(), PartitionListener.NOOP);
    }

    /** Serves {@code api} with {@code handler} on 127.0.0.1 and connects the client. */
    HandlerFixture serve(ApiKey api, RequestHandler handler) throws Exception {
        server = new RemotingServer("broker", new TransportConfig(), null).handle(api, handler)
                .start("127.0.0.1", 0);
        client = new RemotingClient("test", new TransportConfig(), null);
        connection = client.connect(server.localAddress()).get(10, TimeUnit.SECONDS);
        return this;
    }

    /** {@code partition} led here, this broker its only replica. */
    PartitionAssignment led(int partition) {
        return new PartitionAssignment(partition, List.of(broker), broker, 0, List.of(broker), 0);
    }

    /** {@code partition} led by {@code leader}, not hosted here. */
    static PartitionAssignment notHosted(int partition, int leader) {
        return new PartitionAssignment(partition, List.of(leader), leader, 0, List.of(leader), 0);
    }

    /** {@code partition} led by {@code leader}, with this broker a follower in sync. */
    PartitionAssignment followed(int partition, int leader) {
        return new PartitionAssignment(partition, List.of(leader, broker), leader, 0, List.of(leader, broker), 0);
    }

    /**
     * The partitions of a topic that exercises every per-partition outcome: 0 and 3 led here, 1 led by broker 2
     * and not hosted here, 2 led by broker 2 and followed here; then {@code more}.
     */
    List<PartitionAssignment> mixedLayout(PartitionAssignment... more) {
        List<PartitionAssignment> layout = new ArrayList<>(List.of(led(0), notHosted(1, 2), followed(2, 2),
                led(3)));
        layout.addAll(List.of(more));
        return layout;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        partitions.close();
        logs.close();
    }
}
