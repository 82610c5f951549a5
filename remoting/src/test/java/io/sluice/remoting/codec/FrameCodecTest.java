package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.protocol.ProducePartition;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.transport.FrameLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frame encoder, splitter and decoder on an {@link EmbeddedChannel}, without sockets. */
class FrameCodecTest {
    private static final int MAX = 2048;
    private final EmbeddedChannel writer = new EmbeddedChannel(new FrameEncoder(MAX));
    private final EmbeddedChannel reader = new EmbeddedChannel(new FrameSplitter(MAX), new FrameDecoder());

    @AfterEach
    void finish() {
        writer.finishAndReleaseAll();
        reader.finishAndReleaseAll();
    }

    private ByteBuf encode(OutboundFrame frame) {
        writer.writeOutbound(frame);
        ByteBuf out = Unpooled.buffer();
        ByteBuf part;
        while ((part = writer.readOutbound()) != null) {
            out.writeBytes(part);
            part.release();
        }
        return out;
    }

    private static ProduceRequest produce(String topic) {
        return ProduceRequest.of((short) -1, 1500, List.of(new ProducePartition(topic, 3, 5),
                new ProducePartition(topic, 4, 7)));
    }

    @Test
    void encodedFramesDecodeBackEvenOneByteAtATime() {
        ByteBuf smallPayload = Unpooled.copiedBuffer("batch", StandardCharsets.UTF_8);
        ByteBuf bigPayload = Unpooled.wrappedBuffer(new byte[1500]);
        ByteBuf wire = Unpooled.buffer();
        ByteBuf a = encode(new OutboundFrame(0, ApiKey.PRODUCE.id(), 11, produce("orders"), smallPayload));
        ByteBuf b = encode(new OutboundFrame(FrameLayout.FLAG_ONEWAY, ApiKey.PRODUCE.id(), 12, produce("big"),
                bigPayload));
        wire.writeBytes(a).writeBytes(b);
        a.release();
        b.release();
        assertThat(smallPayload.refCnt()).isZero();
        assertThat(bigPayload.refCnt()).isZero();

        while (wire.isReadable()) {
            reader.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();
        InboundFrame first = reader.readInbound();
        InboundFrame second = reader.readInbound();
        try {
            assertThat(first.requestId()).isEqualTo(11);
            assertThat(first.apiKey()).isEqualTo(ApiKey.PRODUCE);
            assertThat(first.isResponse()).isFalse();
            ProduceRequest body = first.message();
            assertThat(body.partitions).extracting(p -> p.topic + "-" + p.partition + ":" + p.batchBytes)
                    .containsExactly("orders-3:5", "orders-4:7");
            assertThat(body.acks).isEqualTo((short) -1);
            assertThat(first.payload().toString(StandardCharsets.UTF_8)).isEqualTo("batch");

            assertThat(second.isOneway()).isTrue();
            assertThat(second.payload().readableBytes()).isEqualTo(1500);
            assertThat(((ProduceRequest) second.message()).partitions.get(0).topic).isEqualTo("big");
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void payloadIsASliceOfTheFrameNotACopy() {
        ByteBuf wire = encode(new OutboundFrame(FrameLayout.FLAG_RESPONSE, ApiKey.PRODUCE.id(), 1,
                new ProduceResponse(), Unpooled.copiedBuffer("xyz", StandardCharsets.UTF_8)));
        reader.writeInbound(wire);
        InboundFrame frame = reader.readInbound();
        try {
            assertThat(frame.payload().unwrap()).as("a derived buffer over the received frame").isNotNull();
            assertThat((Object) frame.message()).isInstanceOf(ProduceResponse.class);
        } finally {
            frame.release();
        }
    }

    @Test
    void errorAnswersCarryAnErrorResponse() {
        reader.writeInbound(encode(OutboundFrame.error(ApiKey.FETCH.id(), 9, ErrorCode.NOT_LEADER.id(), "go away")));
        InboundFrame frame = reader.readInbound();
        try {
            assertThat(frame.isError()).isTrue();
            ErrorResponse error = frame.message();
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.NOT_LEADER);
            assertThat(error.message).isEqualTo("go away");
        } finally {
            frame.release();
        }
    }

    @Test
    void encoderRefusesAnOversizeFrameAndReleasesThePayload() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[MAX]);
        var future = writer.writeOneOutbound(new OutboundFrame(0, ApiKey.PRODUCE.id(), 1, produce("t"), payload));
        writer.flushOutbound();
        assertThat(future.isSuccess()).isFalse();
        assertThat(SluiceException.from(future.cause()).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(payload.refCnt()).isZero();
        assertThat((Object) writer.readOutbound()).isNull();
    }

    @Test
    void oversizeLengthIsRefusedFromTheHeaderAlone() {
        ByteBuf header = Unpooled.buffer().writeInt(1 << 30).writeShort(FrameLayout.MAGIC)
                .writeByte(FrameLayout.VERSION).writeByte(0).writeShort(ApiKey.FETCH.id()).writeLong(5).writeInt(0);
        assertThatThrownBy(() -> reader.writeInbound(header)).isInstanceOfSatisfying(FrameException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
                    assertThat(e.answerable()).isTrue();
                    assertThat(e.requestId()).isEqualTo(5);
                });
        // whatever follows is discarded, not buffered
        reader.writeInbound(Unpooled.wrappedBuffer(new byte[4096]));
        assertThat((Object) reader.readInbound()).isNull();
    }

    @Test
    void anOversizeLengthWithoutItsHeaderIsRefusedAtOnceNotWaitedFor() {
        // a hostile peer sends a 2 GiB length and a few header bytes, then nothing: nothing is held for it
        ByteBuf partialHeader = Unpooled.buffer().writeInt(Integer.MAX_VALUE - 8).writeShort(FrameLayout.MAGIC);
        assertThatThrownBy(() -> reader.writeInbound(partialHeader))
                .isInstanceOfSatisfying(FrameException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
                    assertThat(e.answerable()).isFalse();
                    assertThat(e.getMessage()).contains("header did not come with its length");
                });
        reader.writeInbound(Unpooled.wrappedBuffer(new byte[4096]));
        assertThat((Object) reader.readInbound()).isNull();
    }

    @Test
    void aRequestCarryingTheErrorFlagIsMalformedAndSaysWhy() {
        ByteBuf request = Unpooled.buffer().writeInt(18).writeShort(FrameLayout.MAGIC).writeByte(FrameLayout.VERSION)
                .writeByte(FrameLayout.FLAG_ERROR).writeShort(ApiKey.FETCH.id()).writeLong(12).writeInt(0);
        assertThatThrownBy(() -> reader.writeInbound(request)).isInstanceOfSatisfying(FrameException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(e.answerable()).isTrue();
            assertThat(e.requestId()).isEqualTo(12);
            assertThat(e.getMessage()).contains("error flag");
        });
        assertThat((Object) reader.readInbound()).isNull();
    }

    @Test
    void negativeAndTooShortLengthsAreRefused() {
        assertThatThrownBy(() -> reader.writeInbound(Unpooled.buffer().writeInt(-1)))
                .isInstanceOf(FrameException.class).hasMessageContaining("negative");
        EmbeddedChannel other = new EmbeddedChannel(new FrameSplitter(MAX), new FrameDecoder());
        assertThatThrownBy(() -> other.writeInbound(Unpooled.buffer().writeInt(3).writeShort(FrameLayout.MAGIC)
                .writeShort(0))).isInstanceOf(FrameException.class).hasMessageContaining("shorter");
        other.finishAndReleaseAll();
    }

    @Test
    void badMagicAndWrongVersionAreReported() {
        ByteBuf badMagic = Unpooled.buffer().writeInt(18).writeShort(0x0BAD).writeByte(FrameLayout.VERSION)
                .writeByte(0).writeShort(1).writeLong(1).writeInt(0);
        assertThatThrownBy(() -> reader.writeInbound(badMagic)).isInstanceOfSatisfying(FrameException.class,
                e -> assertThat(e.answerable()).isFalse()).hasMessageContaining("magic");

        EmbeddedChannel other = new EmbeddedChannel(new FrameSplitter(MAX), new FrameDecoder());
        ByteBuf badVersion = Unpooled.buffer().writeInt(18).writeShort(FrameLayout.MAGIC).writeByte(1)
                .writeByte(0).writeShort(1).writeLong(99).writeInt(0);
        assertThatThrownBy(() -> other.writeInbound(badVersion)).isInstanceOfSatisfying(FrameException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(e.requestId()).isEqualTo(99);
            assertThat(e.answerable()).isTrue();
            assertThat(e.version()).as("answered in the requester's version").isEqualTo((byte) 1);
            assertThat(e.getMessage()).contains("protocol version 1", "version " + FrameLayout.VERSION,
                    "upgrade the client");
        });
        other.finishAndReleaseAll();
    }

    @Test
    void anErrorAnswerInAnOlderVersionReachesTheCallerAsUnsupportedVersion() {
        // an old (version 1) server refusing our version-2 request: same header layout, its own version byte
        ByteBuf body = Unpooled.buffer();
        ErrorResponse refusal = new ErrorResponse();
        refusal.code = ErrorCode.UNSUPPORTED_VERSION.id();
        refusal.message = "protocol version 2 is not supported (this process speaks version 1)";
        int bodyBytes = MessageCodec.encode(refusal, body);
        ByteBuf answer = Unpooled.buffer().writeInt(18 + bodyBytes).writeShort(FrameLayout.MAGIC).writeByte(1)
                .writeByte(FrameLayout.FLAG_RESPONSE | FrameLayout.FLAG_ERROR).writeShort(ApiKey.PRODUCE.id())
                .writeLong(41).writeInt(bodyBytes).writeBytes(body);
        body.release();
        reader.writeInbound(answer);
        InboundFrame frame = reader.readInbound();
        try {
            assertThat(frame.requestId()).isEqualTo(41);
            assertThat(frame.isError()).isTrue();
            ErrorResponse error = frame.message();
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(error.message).contains("server speaks protocol version 1", "upgrade the server",
                    "this process speaks version 1");
        } finally {
            frame.release();
        }
    }

    @Test
    void anErrorCanBeWrittenInTheRequestersVersion() {
        writer.writeOutbound(OutboundFrame.error(ApiKey.FETCH.id(), 7, ErrorCode.UNSUPPORTED_VERSION.id(), "old",
                (byte) 1));
        ByteBuf wire = writer.readOutbound();
        try {
            assertThat(wire.getByte(FrameLayout.VERSION_OFFSET)).isEqualTo((byte) 1);
        } finally {
            wire.release();
        }
    }

    @Test
    void messageCodecRejectsGarbageWithMalformedFrame() {
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF});
        try {
            assertThatThrownBy(() -> MessageCodec.decode(ProduceRequest.class, garbage))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
                    .hasMessageContaining("ProduceRequest");
            assertThat(garbage.readerIndex()).isZero();
        } finally {
            garbage.release();
        }
    }

    @Test
    void deeplyNestedGroupsAreRefusedNotOverflowed() {
        byte[] groups = new byte[200_000];
        java.util.Arrays.fill(groups, (byte) 0x5B); // field 11, wire type 3 (start group), forever
        ByteBuf hostile = Unpooled.wrappedBuffer(groups);
        try {
            assertThatThrownBy(() -> MessageCodec.decode(ProduceRequest.class, hostile))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
        } finally {
            hostile.release();
        }
    }

    @Test
    void directAndCompositeBuffersDecodeToo() {
        ProduceRequest original = produce("direct");
        ByteBuf direct = Unpooled.directBuffer();
        MessageCodec.encode(original, direct);
        ByteBuf composite = Unpooled.compositeBuffer().addComponents(true,
                direct.retainedSlice(0, 3), direct.retainedSlice(3, direct.readableBytes() - 3));
        try {
            assertThat(MessageCodec.decode(ProduceRequest.class, direct)).usingRecursiveComparison()
                    .isEqualTo(original);
            assertThat(MessageCodec.decode(ProduceRequest.class, composite)).usingRecursiveComparison()
                    .isEqualTo(original);
        } finally {
            direct.release();
            composite.release();
        }
    }
}
