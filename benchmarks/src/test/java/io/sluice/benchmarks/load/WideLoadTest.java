package io.sluice.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wide suite's load, as every system's load JVM runs it: the layout of its workloads (one topic up to the topic
 * size, topics of that size above it) and the producer's spread (every partition of every topic gets an equal
 * share, and the warm-up writes each partition before timing starts), against a recording target.
 */
class WideLoadTest {
    @Test
    void tenThousandPartitionsAreTenTopicsOfOneThousand() {
        WideWorkload w = WideWorkload.parse("wide-produce-10000");
        assertThat(w).isEqualTo(new WideWorkload(WideWorkload.PRODUCE, 10_000));
        assertThat(w.name()).isEqualTo("wide-produce-10000");
        assertThat(w.partitionsPerTopic(1_000)).isEqualTo(1_000);
        assertThat(w.topics(1_000)).hasSize(10).startsWith("wide-10000-0").endsWith("wide-10000-9");

        WideWorkload small = WideWorkload.parse("wide-consume-8");
        assertThat(small.topics(1_000)).containsExactly("wide-8-0");
        assertThat(small.partitionsPerTopic(1_000)).isEqualTo(8);

        WideWorkload rf3 = WideWorkload.parse("wide-rf3-produce-3000");
        assertThat(rf3.topics(1_000)).containsExactly("wide-3000-rf3-0", "wide-3000-rf3-1", "wide-3000-rf3-2");

        assertThat(WideWorkload.parse("produce-100")).isNull();
        assertThat(WideWorkload.parse("wide-produce-x")).isNull();
        assertThat(WideWorkload.invalidLayout(1_500, 1_000)).contains("multiple of 1000");
        assertThatThrownBy(() -> new WideWorkload(WideWorkload.PRODUCE, 1_500).topics(1_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1500 partitions");
    }

    @Test
    void producerWritesEveryPartitionOfEveryTopicEquallyAndWarmsEachUp() throws Exception {
        Recording system = new Recording();
        List<String> topics = List.of("a", "b", "c");
        LoadResult r = WideLoad.produce("wide-produce-30", system, new MessagingSystem.SenderSettings("1", 5, 65_536,
                1 << 20), topics, 10, 100, 30, 300);

        assertThat(r.line()).contains("workload=wide-produce-30", "records=300", "topics=3", "partitions=30",
                "msgs_per_s=").doesNotContain("error=");
        assertThat(system.sends).hasSize(330);
        Map<String, Integer> warmup = count(system.sends.subList(0, 30));
        assertThat(warmup).as("the warm-up writes every partition once").hasSize(30).allSatisfy((k, v) ->
                assertThat(v).isEqualTo(1));
        Map<String, Integer> timed = count(system.sends.subList(30, 330));
        assertThat(timed).hasSize(30).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(10));
        assertThat(system.flushes).isEqualTo(2);
    }

    @Test
    void consumerReadsEveryTopicAndFailsOnMoreRecordsThanWritten() throws Exception {
        Recording system = new Recording();
        system.perPoll = 4;
        LoadResult ok = ConsumeLoad.run("wide-consume-20", system, List.of("a", "b"), 10, 8, 100, 5_000, 1);
        assertThat(ok.line()).contains("records=8").doesNotContain("error=");
        assertThat(system.readers).containsExactly("[a, b] x 10", "[a, b] x 10");

        system.perPoll = 5;
        assertThatThrownBy(() -> ConsumeLoad.run("wide-consume-20", system, List.of("a", "b"), 10, 8, 100, 5_000, 0))
                .hasMessage("read 10 records where 8 were written");
    }

    private static Map<String, Integer> count(List<String> sends) {
        Map<String, Integer> out = new TreeMap<>();
        sends.forEach(s -> out.merge(s, 1, Integer::sum));
        return out;
    }

    /** Acknowledges every send at once and remembers where it went. */
    private static final class Recording implements MessagingSystem {
        final List<String> sends = new ArrayList<>();
        final List<String> readers = new ArrayList<>();
        int flushes;
        int perPoll;

        @Override
        public void createTopic(String topic, int partitions) {
        }

        @Override
        public Sender sender(SenderSettings settings) {
            return new Sender() {
                @Override
                public void send(String topic, byte[] value, AckCallback onAck) {
                    throw new AssertionError("the wide producer names the partition of every record");
                }

                @Override
                public void send(String topic, int partition, byte[] value, AckCallback onAck) {
                    assertThat(value).hasSize(100);
                    sends.add(topic + "-" + partition);
                    if (onAck != null) {
                        onAck.done(null);
                    }
                }

                @Override
                public void flush() {
                    flushes++;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public Reader reader(List<String> topics, int partitionsPerTopic, int maxPollRecords) {
            readers.add(topics + " x " + partitionsPerTopic);
            return new Reader() {
                @Override
                public int poll(long timeoutMs, ValueSink sink) {
                    for (int i = 0; i < perPoll; i++) {
                        sink.accept(new byte[100]);
                    }
                    return perPoll;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
