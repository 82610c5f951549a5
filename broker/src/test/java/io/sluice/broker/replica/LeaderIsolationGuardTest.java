package io.sluice.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ProducePartition;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker on a real (embedded) ZooKeeper that goes away and comes back within the session timeout: while the
 * connection is down the broker refuses acks=all writes to the partition it leads with NOT_LEADER and counts the
 * partition as unconfirmed; once it is back in the same session and the registry still names it leader in the same
 * epoch, it acknowledges again.
 */
class LeaderIsolationGuardTest {
    @TempDir
    Path dir;

    private EmbeddedZooKeeper zk;
    private RegistryClient registry;
    private BrokerServer broker;
    private RemotingClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    /** An acks=all produce of one record; null if acknowledged, else the error. */
    private static SluiceException produce(Connection connection) throws Exception {
        ByteBuf batch = Unpooled.buffer(); // the connection takes it over
        RecordBatchBuilder builder = new RecordBatchBuilder(batch, System.currentTimeMillis());
        builder.append(System.currentTimeMillis(), null, new byte[] {1});
        builder.close();
        ProduceRequest request = ProduceRequest.of((short) -1, 3_000,
                List.of(new ProducePartition("g", 0, batch.readableBytes())));
        try (Response response = connection.request(ApiKey.PRODUCE, request, batch, 10_000)
                .get(15, TimeUnit.SECONDS)) {
            ProducePartitionResult result = response.<ProduceResponse>message().partitions.get(0);
            return result.errorCode == 0 ? null
                    : new SluiceException(ErrorCode.forId(result.errorCode), result.errorMessage);
        } catch (ExecutionException e) {
            return SluiceException.from(e.getCause());
        }
    }

    @Test
    void aLeaderRefusesWhileDisconnectedAndResumesInTheSameSessionAndEpoch() throws Exception {
        Path zkData = dir.resolve("zk");
        zk = EmbeddedZooKeeper.start(zkData, "127.0.0.1", 0);
        int zkPort = zk.port();
        registry = RegistryClient.connect(new RegistryConfig().connect("zookeeper://" + zk.connectString())
                .root("/guard").sessionTimeoutMs(20_000).connectionTimeoutMs(3_000).retryBaseMs(50).retryMaxMs(500)
                .watchCoalesceMs(10));
        registry.topics().create(TopicMetadata.withAssignment("g", List.of(List.of(1)), Map.of()));
        MeterRegistry metrics = new SimpleMeterRegistry();
        broker = new BrokerServer(new BrokerConfig().id(1).port(0).metricsPort(-1).dataDir(dir.resolve("b1")),
                registry, metrics).start();
        Partition partition = await().atMost(Duration.ofSeconds(10)).until(() -> {
            Partition[] parts = broker.partitions().partitions("g");
            return parts == null ? null : parts[0];
        }, p -> p != null && p.isLeader());
        int epoch = partition.leaderEpoch();
        client = new RemotingClient("guard-test", new TransportConfig(), null);
        Connection connection = client.connect(broker.address()).get(10, TimeUnit.SECONDS);
        assertThat(produce(connection)).as("acknowledged while connected").isNull();

        zk.close();
        SluiceException refused = await().atMost(Duration.ofSeconds(10)).until(() -> produce(connection),
                e -> e != null);
        assertThat(refused.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(refused.getMessage()).contains("registry");
        assertThat(partition.isLeader()).isTrue();
        assertThat(partition.leadershipConfirmed()).isFalse();
        assertThat(metrics.get("sluice.replica.unconfirmed.leader.partitions").gauge().value()).isEqualTo(1.0);
        assertThat(metrics.get("sluice.replica.leadership.suspensions").counter().count()).isEqualTo(1.0);
        long endWhileDown = partition.log().logEndOffset();
        assertThat(produce(connection)).isNotNull();
        assertThat(partition.log().logEndOffset()).as("a refused write is not appended").isEqualTo(endWhileDown);

        zk = EmbeddedZooKeeper.start(zkData, "127.0.0.1", zkPort);
        await().atMost(Duration.ofSeconds(20)).until(() -> produce(connection) == null);
        assertThat(partition.leaderEpoch()).as("same leadership, confirmed, not a new election").isEqualTo(epoch);
        assertThat(partition.leadershipConfirmed()).isTrue();
        assertThat(metrics.get("sluice.replica.unconfirmed.leader.partitions").gauge().value()).isZero();
        assertThat(partition.log().highWatermark()).isEqualTo(partition.log().logEndOffset());
    }
}
