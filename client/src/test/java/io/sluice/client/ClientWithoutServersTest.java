package io.sluice.client;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the clients do on their own, before any server answers (the nameserver address has nobody listening). */
class ClientWithoutServersTest {
    private static final String NOBODY = "127.0.0.1:1";

    private static Producer<String, String> producer(long maxBlockMs) {
        return Producer.create(new ProducerConfig().nameservers(NOBODY).maxBlockMs(maxBlockMs)
                .maxRequestSize(10_000).batchSize(4_096), Serdes.string(), Serdes.string());
    }

    private static void assertFailsWith(CompletableFuture<?> future, ErrorCode code) {
        assertThat(future).isCompletedExceptionally();
        assertThatThrownBy(future::join).cause().isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void aRecordLargerThanMaxRequestSizeFailsAtOnce() {
        try (Producer<String, String> producer = producer(60_000)) {
            long start = System.nanoTime();
            CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord<>("t", "x".repeat(20_000)));
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertFailsWith(f, ErrorCode.RECORD_TOO_LARGE);
            assertThatThrownBy(f::join).hasMessageContaining(ProducerConfig.MAX_REQUEST_SIZE);
        }
    }

    @Test
    void nonBlockingSendToATopicWithoutRoutesFailsAtOnce() {
        try (Producer<String, String> producer = producer(0)) {
            assertFailsWith(producer.send(new ProducerRecord<>("t", "v")), ErrorCode.UNKNOWN_TOPIC);
        }
    }

    @Test
    void aBlockingSendToNameserversNobodyListensOnSaysSoRatherThanBlamingTheTopic() {
        try (Producer<String, String> producer = producer(60_000)) {   // said after a few attempts, not after a minute
            CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord<>("t", "v"));
            assertFailsWith(f, ErrorCode.NETWORK_ERROR);
            assertThatThrownBy(f::join).hasMessageContaining("no nameserver can be reached at [/" + NOBODY + "]");
            assertThatThrownBy(() -> producer.partitionsFor("t")).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NETWORK_ERROR));
        }
    }

    @Test
    void aFailingSerializerIsASerializationError() {
        Serializer<String> broken = s -> {
            throw new IllegalStateException("boom");
        };
        try (Producer<String, String> producer = Producer.create(new ProducerConfig().nameservers(NOBODY),
                broken, Serdes.string())) {
            CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord<>("t", "k", "v"));
            assertFailsWith(f, ErrorCode.SERIALIZATION_ERROR);
            assertThatThrownBy(f::join).hasMessageContaining("boom");
        }
    }

    @Test
    void aClosedProducerRefusesRecordsAndClosesTwiceQuietly() {
        Producer<String, String> producer = producer(0);
        producer.flush();
        producer.close(Duration.ofSeconds(5));
        producer.close();
        assertFailsWith(producer.send(new ProducerRecord<>("t", "v")), ErrorCode.CLIENT_CLOSED);
    }

    @Test
    void consumerChecksItsAssignment() {
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(NOBODY),
                Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition("t", 0);
            assertThatThrownBy(() -> consumer.seek(tp, 0)).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
            consumer.assign(List.of(tp, new TopicPartition("t", 1)));
            assertThat(consumer.assignment()).containsExactly(tp, new TopicPartition("t", 1));
            consumer.seek(tp, 42);
            assertThat(consumer.position(tp)).isEqualTo(42);
            assertThatThrownBy(() -> consumer.seek(tp, -1)).isInstanceOf(SluiceException.class);
            consumer.assign(List.of());
            assertThat(consumer.assignment()).isEmpty();
            assertThat(consumer.poll(Duration.ofMillis(50)).isEmpty()).isTrue();
        }
    }

    @Test
    void withoutAPositionAndAutoOffsetResetNonePollFails() {
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(NOBODY)
                .autoOffsetReset(ConsumerConfig.AutoOffsetReset.NONE), Serdes.string(), Serdes.string())) {
            consumer.assign(List.of(new TopicPartition("t", 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOfSatisfying(
                    SluiceException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                        assertThat(e.getMessage()).contains("t-0").contains("seek");
                    });
        }
    }

    @Test
    void blockingConsumerCallsGiveUpAtTheirTimeout() {
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(NOBODY)
                .defaultApiTimeoutMs(300), Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition("t", 0);
            consumer.assign(List.of(tp));
            assertThatThrownBy(() -> consumer.position(tp)).isInstanceOf(SluiceException.class);
            assertThatThrownBy(() -> consumer.endOffsets(List.of(tp))).isInstanceOf(SluiceException.class);
            assertThatThrownBy(() -> consumer.offsetsForTimes(Map.of(tp, 0L))).isInstanceOf(SluiceException.class);
            assertThat(consumer.poll(Duration.ofMillis(100)).count()).isZero();
        }
    }

    @Test
    void adminReportsAnUnreachableNameserver() {
        try (Admin admin = Admin.create(new AdminConfig().nameservers(NOBODY).requestTimeoutMs(500))) {
            long start = System.nanoTime();
            assertThatThrownBy(admin::listTopics).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isIn(ErrorCode.NETWORK_ERROR, ErrorCode.REQUEST_TIMED_OUT));
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThatThrownBy(() -> admin.createTopic(new NewTopic("t", 1, 1))).isInstanceOfSatisfying(
                    SluiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NETWORK_ERROR));
        }
    }
}
