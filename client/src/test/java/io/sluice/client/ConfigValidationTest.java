package io.sluice.client;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.config.ConfigSource;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigValidationTest {

    @Test
    void defaultsAreValid() {
        ProducerConfig p = new ProducerConfig().conclude();
        assertThat(p.nameservers()).isEqualTo("127.0.0.1:9876");
        assertThat(p.acks()).isEqualTo(1);
        assertThat(p.lingerMs()).isEqualTo(5);
        assertThat(p.batchSize()).isEqualTo(65536);
        assertThat(p.bufferMemory()).isEqualTo(64L << 20);
        assertThat(p.maxInFlightPerPartition()).isEqualTo(1);
        assertThat(p.partitioner()).isSameAs(Partitioner.hashing());
        assertThat(p.transport().ioThreads()).isEqualTo(1);
        ConsumerConfig c = new ConsumerConfig().conclude();
        assertThat(c.maxPollRecords()).isEqualTo(500);
        assertThat(c.autoOffsetReset()).as("Kafka's default: a new consumer reads from the log end")
                .isEqualTo(ConsumerConfig.AutoOffsetReset.LATEST);
        new AdminConfig().conclude();
    }

    @Test
    void eachBadProducerValueNamesItsKey() {
        rejects(ProducerConfig.NAMESERVERS, "nohost", c -> c.nameservers("nohost"));
        rejects(ProducerConfig.NAMESERVERS, "a:99999", c -> c.nameservers("a:99999"));
        rejects(ProducerConfig.ACKS, "2", c -> c.acks(2));
        rejects(ProducerConfig.LINGER_MS, "-1", c -> c.lingerMs(-1));
        rejects(ProducerConfig.BATCH_SIZE, "10", c -> c.batchSize(10));
        rejects(ProducerConfig.BUFFER_MEMORY, "1000", c -> c.bufferMemory(1000));
        rejects(ProducerConfig.MAX_BLOCK_MS, "-5", c -> c.maxBlockMs(-5));
        rejects(ProducerConfig.RETRIES, "-1", c -> c.retries(-1));
        rejects(ProducerConfig.RETRY_BACKOFF_MS, "0", c -> c.retryBackoffMs(0));
        rejects(ProducerConfig.RETRY_BACKOFF_MAX_MS, "50", c -> c.retryBackoffMaxMs(50));
        rejects(ProducerConfig.REQUEST_TIMEOUT_MS, "0", c -> c.requestTimeoutMs(0));
        rejects(ProducerConfig.DELIVERY_TIMEOUT_MS, "1000", c -> c.deliveryTimeoutMs(1000));
        rejects(ProducerConfig.MAX_IN_FLIGHT, "6", c -> c.maxInFlightPerPartition(6));
        rejects(ProducerConfig.MAX_IN_FLIGHT, "0", c -> c.maxInFlightPerPartition(0));
        rejects(ProducerConfig.MAX_REQUEST_SIZE, "100", c -> c.maxRequestSize(100));
        rejects(ProducerConfig.MAX_REQUEST_SIZE, "16777216", c -> c.maxRequestSize(16 << 20));
        rejects(ProducerConfig.PARTITIONER, "no.such.Class", c -> c.partitioner("no.such.Class"));
        rejects(ProducerConfig.METADATA_MAX_AGE_MS, "1", c -> c.metadataMaxAgeMs(1));
        rejects("sluice.transport.io.threads", "0", c -> c.transport().ioThreads(0));
    }

    @Test
    void eachBadConsumerValueNamesItsKey() {
        rejectsConsumer(ConsumerConfig.NAMESERVERS, "", c -> c.nameservers(""));
        rejectsConsumer(ConsumerConfig.FETCH_MAX_BYTES, "10", c -> c.fetchMaxBytes(10));
        rejectsConsumer(ConsumerConfig.FETCH_MAX_WAIT_MS, "-1", c -> c.fetchMaxWaitMs(-1));
        rejectsConsumer(ConsumerConfig.FETCH_MIN_BYTES, "-1", c -> c.fetchMinBytes(-1));
        rejectsConsumer(ConsumerConfig.MAX_POLL_RECORDS, "0", c -> c.maxPollRecords(0));
        rejectsConsumer(ConsumerConfig.REQUEST_TIMEOUT_MS, "400", c -> c.requestTimeoutMs(400));
        rejectsConsumer(ConsumerConfig.DEFAULT_API_TIMEOUT_MS, "0", c -> c.defaultApiTimeoutMs(0));
        rejectsConsumer(ConsumerConfig.RETRY_BACKOFF_MS, "0", c -> c.retryBackoffMs(0));
        rejectsConsumer(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY, "sticky",
                c -> c.partitionAssignmentStrategy("sticky"));
        rejectsConsumer(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY, "cooperative-sticky,,x",
                c -> c.partitionAssignmentStrategy("cooperative-sticky,,x"));
        rejectsConsumer(ConsumerConfig.BROADCAST, "true", c -> c.groupId("g").broadcast(true));
        new ConsumerConfig().partitionAssignmentStrategy("cooperative-sticky, range").conclude();
        new ConsumerConfig().groupId("g").groupInstanceId("host-1").broadcast(true).conclude();
    }

    @Test
    void configsLoadFromAConfigSource() {
        ProducerConfig p = ProducerConfig.from(source(Map.of(
                ProducerConfig.ACKS, "all",
                ProducerConfig.LINGER_MS, "0",
                ProducerConfig.BATCH_SIZE, "16_384",
                ProducerConfig.PARTITIONER, "round-robin",
                "sluice.transport.io.threads", "2",
                "sluice.transport.liveness.detector", "phi",
                "sluice.transport.liveness.timeout.ms", "45000",
                "sluice.broker.port", "9911"))).conclude();
        assertThat(p.acks()).isEqualTo(-1);
        assertThat(p.lingerMs()).isZero();
        assertThat(p.batchSize()).isEqualTo(16384);
        assertThat(p.transport().ioThreads()).isEqualTo(2);
        assertThat(p.transport().livenessDetector()).isEqualTo(TransportConfig.Detector.PHI);
        assertThat(p.transport().livenessTimeoutMs()).isEqualTo(45_000);
        assertThat(ProducerConfig.from(source(Map.of())).transport().ioThreads())
                .as("clients keep one I/O thread unless told").isEqualTo(1);
        ConsumerConfig c = ConsumerConfig.from(source(Map.of(ConsumerConfig.AUTO_OFFSET_RESET, "latest",
                ConsumerConfig.CHECK_CRCS, "false"))).conclude();
        assertThat(c.autoOffsetReset()).isEqualTo(ConsumerConfig.AutoOffsetReset.LATEST);
        assertThat(c.checkCrcs()).isFalse();
        assertThat(AdminConfig.from(source(Map.of(AdminConfig.NAMESERVERS, "h1:1,h2:2"))).conclude().nameservers())
                .isEqualTo("h1:1,h2:2");
    }

    @Test
    void unknownKeysAndUnparsableValuesAreRejected() {
        assertInvalid(() -> ProducerConfig.from(source(Map.of("sluice.producer.lingr.ms", "5"))),
                "sluice.producer.lingr.ms");
        assertInvalid(() -> ProducerConfig.from(source(Map.of(ProducerConfig.BATCH_SIZE, "big"))),
                ProducerConfig.BATCH_SIZE);
        assertInvalid(() -> ProducerConfig.from(source(Map.of(ProducerConfig.ACKS, "most"))), ProducerConfig.ACKS);
        assertInvalid(() -> ConsumerConfig.from(source(Map.of(ConsumerConfig.AUTO_OFFSET_RESET, "middle"))),
                ConsumerConfig.AUTO_OFFSET_RESET);
        assertInvalid(() -> ConsumerConfig.from(source(Map.of(ConsumerConfig.CHECK_CRCS, "yes"))),
                ConsumerConfig.CHECK_CRCS);
    }

    private static ConfigSource source(Map<String, String> values) {
        return ConfigSource.fromMap(values, "test");
    }

    @Test
    void aBadConfigStopsProducerCreationBeforeAnythingStarts() {
        assertInvalid(() -> Producer.create(new ProducerConfig().acks(7), Serdes.string(), Serdes.string()),
                ProducerConfig.ACKS);
        assertInvalid(() -> Consumer.create(new ConsumerConfig().maxPollRecords(0), Serdes.string(), Serdes.string()),
                ConsumerConfig.MAX_POLL_RECORDS);
        assertInvalid(() -> Admin.create(new AdminConfig().requestTimeoutMs(0)), AdminConfig.REQUEST_TIMEOUT_MS);
    }

    private static void rejects(String key, String value, java.util.function.Consumer<ProducerConfig> change) {
        ProducerConfig config = new ProducerConfig();
        change.accept(config);
        assertInvalid(config::conclude, key + "=" + value);
    }

    private static void rejectsConsumer(String key, String value, java.util.function.Consumer<ConsumerConfig> change) {
        ConsumerConfig config = new ConsumerConfig();
        change.accept(config);
        assertInvalid(config::conclude, key + "=" + value);
    }

    private static void assertInvalid(Runnable action, String mention) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).contains(mention);
        });
    }
}
