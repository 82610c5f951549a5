package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.transport.FrameLayout;
import io.sluice.remoting.transport.ReadGate;
import io.sluice.remoting.transport.ReadGate.Reason;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The splitter with its read gate and memory pool on an {@link EmbeddedChannel}: frames in pieces wait for pool
 * memory without being read, must complete within their deadline, and a connection hands on a few frames per turn.
 */
class FrameSplitterTest {
    private static final int MAX = 64 * 1024;

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private ReadGate gate;

    @AfterEach
    void finish() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel(FrameMemoryPool pool, long frameTimeoutMs, int framesPerTurn) {
        gate = new ReadGate(null);
        EmbeddedChannel channel = new EmbeddedChannel(gate,
                new FrameSplitter(MAX, framesPerTurn, frameTimeoutMs, pool, gate));
        if (frameTimeoutMs > 0) {
            // the frame deadline moves only with advanceTimeBy, never with a loaded machine's clock (frozen time
            // also runs at once the tasks a task schedules, so tests of turns keep the real clock)
            channel.freezeTime();
        }
        channels.add(channel);
        return channel;
    }

    /** A request frame of {@code bytes} in all (length field included): a header and a payload of filler. */
    private static ByteBuf frame(int bytes, long requestId) {
        ByteBuf buf = Unpooled.buffer(bytes);
        buf.writeInt(bytes - FrameLayout.LENGTH_FIELD_SIZE).writeShort(FrameLayout.MAGIC)
                .writeByte(FrameLayout.VERSION).writeByte(0).writeShort(ApiKey.PRODUCE.id()).writeLong(requestId)
                .writeInt(0);
        while (buf.writerIndex() < bytes) {
            buf.writeByte((int) requestId);
        }
        return buf;
    }

    /** Runs the turns to come, each scheduled by the one before. */
    private static void runTurns(EmbeddedChannel channel) {
        for (int i = 0; i < 1_000; i++) {
            channel.runPendingTasks();
        }
    }

    /** The frames handed on so far: their request ids, each checked to be a whole frame of its stated length. */
    private static List<Long> handedOn(EmbeddedChannel channel) {
        List<Long> ids = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readInbound()) != null) {
            try {
                assertThat(frame.readableBytes()).isEqualTo(frame.getInt(frame.readerIndex())
                        + FrameLayout.LENGTH_FIELD_SIZE);
                ids.add(frame.getLong(frame.readerIndex() + FrameLayout.REQUEST_ID_OFFSET));
            } finally {
                frame.release();
            }
        }
        return ids;
    }

    @Test
    void wholeFramesPassAsTheyArriveAndAFrameInPiecesIsReassembled() {
        FrameMemoryPool pool = new FrameMemoryPool(MAX);
        EmbeddedChannel channel = channel(pool, 0, 16);
        ByteBuf big = frame(3000, 2);
        channel.writeInbound(Unpooled.wrappedBuffer(frame(100, 1), big.retainedSlice(0, 50)));
        assertThat(handedOn(channel)).containsExactly(1L);
        assertThat(pool.used()).as("the frame in pieces holds its whole length").isEqualTo(3000);

        channel.writeInbound(big.retainedSlice(50, 2000));
        assertThat(handedOn(channel)).isEmpty();
        channel.writeInbound(Unpooled.wrappedBuffer(big.retainedSlice(2050, 950), frame(30, 3)));
        big.release();
        assertThat(handedOn(channel)).containsExactly(2L, 3L);
        assertThat(pool.used()).isZero();
    }

    @Test
    void aFrameInPiecesWaitsForPoolMemoryWithoutTheConnectionBeingRead() {
        FrameMemoryPool pool = new FrameMemoryPool(8192);
        assertThat(pool.tryAcquire(6000)).isTrue(); // another connection's frame
        EmbeddedChannel channel = channel(pool, 0, 16);
        ByteBuf frame = frame(4000, 7);
        channel.writeInbound(frame.retainedSlice(0, 1000));

        assertThat(handedOn(channel)).isEmpty();
        assertThat(channel.config().isAutoRead()).as("not read while it waits").isFalse();
        assertThat(gate.holds(Reason.FRAME_MEMORY)).isTrue();
        assertThat(pool.waiting()).isEqualTo(1);
        assertThat(pool.used()).isEqualTo(6000);

        pool.release(6000);
        channel.runPendingTasks(); // the grant arrives on the connection's event loop
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(pool.used()).isEqualTo(4000);
        channel.writeInbound(frame.retainedSlice(1000, 3000));
        frame.release();
        assertThat(handedOn(channel)).containsExactly(7L);
        assertThat(pool.used()).isZero();
    }

    @Test
    void aFrameNotCompleteWithinItsDeadlineIsRefusedAndItsMemoryFreed() {
        FrameMemoryPool pool = new FrameMemoryPool(MAX);
        EmbeddedChannel channel = channel(pool, 1_000, 16);
        ByteBuf frame = frame(4000, 9);
        channel.writeInbound(frame.retainedSlice(0, 100));
        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.checkException();
        channel.writeInbound(frame.retainedSlice(100, 100)); // progress does not move the deadline
        frame.release();

        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThatThrownBy(channel::checkException).isInstanceOfSatisfying(FrameException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
            assertThat(e.answerable()).isTrue();
            assertThat(e.requestId()).isEqualTo(9);
            assertThat(e.getMessage()).contains("4000 bytes").contains("200 bytes received")
                    .contains(TransportConfig.FRAME_TIMEOUT_MS);
        });
        assertThat(pool.used()).isZero();
        assertThat(handedOn(channel)).isEmpty();
    }

    @Test
    void theDeadlineDoesNotRunWhileTheServerIsNotReadingTheConnection() {
        EmbeddedChannel channel = channel(new FrameMemoryPool(MAX), 1_000, 16);
        ByteBuf frame = frame(4000, 11);
        channel.writeInbound(frame.retainedSlice(0, 100));
        gate.close(Reason.IN_FLIGHT); // the dispatcher stopped reading: the peer cannot be blamed
        channel.advanceTimeBy(1_500, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.checkException();

        gate.open(Reason.IN_FLIGHT);
        channel.writeInbound(frame.retainedSlice(100, 3900));
        frame.release();
        assertThat(handedOn(channel)).containsExactly(11L);
    }

    @Test
    void aConnectionHandsOnAFewFramesPerTurnAndTheRestInLaterTurns() {
        EmbeddedChannel channel = channel(new FrameMemoryPool(MAX), 0, 4);
        ByteBuf many = Unpooled.buffer();
        for (long id = 1; id <= 10; id++) {
            ByteBuf frame = frame(40, id);
            many.writeBytes(frame);
            frame.release();
        }
        channel.pipeline().fireChannelRead(many); // one read, without the embedded loop running its tasks
        assertThat(handedOn(channel)).containsExactly(1L, 2L, 3L, 4L);
        channel.runPendingTasks(); // the next turn, scheduled behind the other connections' work
        assertThat(handedOn(channel)).containsExactly(5L, 6L, 7L, 8L);
        runTurns(channel);
        assertThat(handedOn(channel)).containsExactly(9L, 10L);
    }

    @Test
    void aBacklogOfUncutBytesStopsReadingUntilItIsHandedOn() {
        EmbeddedChannel channel = channel(new FrameMemoryPool(MAX), 0, 1);
        ByteBuf many = Unpooled.buffer();
        int count = 0;
        while (many.readableBytes() <= FrameSplitter.BACKLOG_BYTES + 1000) {
            ByteBuf frame = frame(1000, ++count);
            many.writeBytes(frame);
            frame.release();
        }
        channel.pipeline().fireChannelRead(many);
        assertThat(handedOn(channel)).hasSize(1);
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(gate.holds(Reason.BACKLOG)).isTrue();
        runTurns(channel);
        channel.checkException();
        assertThat(handedOn(channel)).hasSize(count - 1);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void bytesHeldWhileTheGateIsClosedAreHandedOnWhenItOpens() {
        EmbeddedChannel channel = channel(new FrameMemoryPool(MAX), 0, 16);
        gate.close(Reason.UNWRITTEN);
        ByteBuf two = Unpooled.wrappedBuffer(frame(50, 1), frame(60, 2));
        channel.writeInbound(Unpooled.directBuffer().writeBytes(two));
        two.release();
        assertThat(handedOn(channel)).isEmpty();
        gate.open(Reason.UNWRITTEN);
        assertThat(handedOn(channel)).containsExactly(1L, 2L);
    }

    @Test
    void closingTheConnectionReleasesTheFrameInPiecesAndItsMemory() {
        FrameMemoryPool pool = new FrameMemoryPool(MAX);
        EmbeddedChannel channel = channel(pool, 1_000, 16);
        ByteBuf frame = frame(5000, 3);
        channel.writeInbound(frame.retainedSlice(0, 2500));
        frame.release();
        assertThat(pool.used()).isEqualTo(5000);
        channel.close();
        assertThat(pool.used()).isZero();
    }

    @Test
    void aConnectionClosedWhileWaitingForMemoryGivesTheLateGrantBack() {
        FrameMemoryPool pool = new FrameMemoryPool(8192);
        assertThat(pool.tryAcquire(8000)).isTrue();
        EmbeddedChannel channel = channel(pool, 0, 16);
        ByteBuf frame = frame(4000, 5);
        channel.writeInbound(frame.retainedSlice(0, 500));
        frame.release();
        assertThat(pool.waiting()).isEqualTo(1);
        channel.close();
        assertThat(pool.waiting()).isZero();
        pool.release(8000);
        channel.runPendingTasks();
        assertThat(pool.used()).isZero();
    }
}
