package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ListOffsetsPartition;
import io.sluice.remoting.protocol.ListOffsetsPartitionResult;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LIST_OFFSETS of many partitions in one request, against a real broker handler on loopback with real Chronicle
 * logs: each partition is answered on its own, an error for one (unknown, not led here, a bad timestamp) leaving the
 * others answered; a request naming no partition, or too many, is refused whole.
 */
class MultiPartitionListOffsetsTest {
    private static final int BROKER = 1;

    @TempDir
    Path dir;

    private HandlerFixture broker;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir, BROKER);
        broker.partitions.applyTopic("t", "", Map.of(), broker.mixedLayout());
        broker.serve(ApiKey.LIST_OFFSETS, new ListOffsetsHandler(broker.partitions));
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyPartitionIsAnsweredOnItsOwn() throws Exception {
        append("t", 0, 1_000, 2_000, 3_000);
        append("t", 3, 5_000, 6_000);

        ListOffsetsResponse response = listOffsets(List.of(
                ListOffsetsPartition.of("t", 0, ListOffsetsRequest.LATEST),
                ListOffsetsPartition.of("t", 0, ListOffsetsRequest.EARLIEST),
                ListOffsetsPartition.of("t", 0, 2_000),
                ListOffsetsPartition.of("t", 0, 9_999),
                ListOffsetsPartition.of("no-such-topic", 0, ListOffsetsRequest.LATEST),
                ListOffsetsPartition.of("t", 1, ListOffsetsRequest.LATEST),
                ListOffsetsPartition.of("t", 2, ListOffsetsRequest.LATEST),
                ListOffsetsPartition.of("t", 3, -5),
                ListOffsetsPartition.of("t", 9, ListOffsetsRequest.LATEST),
                ListOffsetsPartition.of("t", 3, ListOffsetsRequest.LATEST)));

        assertThat(response.partitions).extracting(r -> r.topic + "-" + r.partition).containsExactly("t-0", "t-0",
                "t-0", "t-0", "no-such-topic-0", "t-1", "t-2", "t-3", "t-9", "t-3");
        assertThat(response.partitions).extracting(r -> ErrorCode.forId(r.errorCode)).containsExactly(
                ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC,
                ErrorCode.NOT_LEADER, ErrorCode.NOT_LEADER, ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN_PARTITION,
                ErrorCode.NONE);
        assertThat(response.partitions).extracting(r -> r.offset).containsExactly(3L, 0L, 1L, 3L, -1L, -1L, -1L,
                -1L, -1L, 2L);
        assertThat(response.partitions.get(2).timestamp).as("the record found is at the time asked for")
                .isEqualTo(2_000);
        assertThat(response.partitions.get(3).timestamp).as("no record that late: the end, no timestamp")
                .isEqualTo(-1);
        ListOffsetsPartitionResult badTimestamp = response.partitions.get(7);
        assertThat(badTimestamp.errorMessage).contains("-5");
        assertThat(response.partitions.get(4).errorMessage).contains("no-such-topic");
    }

    @Test
    void aRequestNamingNoPartitionOrTooManyIsRefusedWhole() {
        assertThatThrownBy(() -> listOffsets(List.of())).satisfies(e -> {
            SluiceException error = SluiceException.from(e instanceof ExecutionException ? e.getCause() : e);
            assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(error.getMessage()).contains("names no partition");
        });
        List<ListOffsetsPartition> tooMany = new ArrayList<>(Collections.nCopies(ListOffsetsRequest.MAX_PARTITIONS + 1,
                ListOffsetsPartition.of("t", 0, ListOffsetsRequest.LATEST)));
        assertThatThrownBy(() -> listOffsets(tooMany)).satisfies(e -> {
            SluiceException error = SluiceException.from(e instanceof ExecutionException ? e.getCause() : e);
            assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(error.getMessage()).contains("at most " + ListOffsetsRequest.MAX_PARTITIONS);
        });
    }

    private void append(String topic, int partition, long... timestamps) {
        ByteBuf buf = Unpooled.buffer();
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, timestamps[0]);
        for (long ts : timestamps) {
            builder.append(ts, null, ("at-" + ts).getBytes(StandardCharsets.UTF_8));
        }
        builder.close();
        try {
            broker.partitions.partition(topic, partition).appendAsLeader(buf);
        } finally {
            buf.release();
        }
    }

    private ListOffsetsResponse listOffsets(List<ListOffsetsPartition> entries) throws Exception {
        try (Response response = broker.connection.request(ApiKey.LIST_OFFSETS, ListOffsetsRequest.of(entries), null,
                10_000).get(15, TimeUnit.SECONDS)) {
            return response.message();
        }
    }
}
