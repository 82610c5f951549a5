package io.sluice.remoting.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The liveness rules of {@link HeartbeatHandler} (with {@link ReadActivity} in front of it) on an
 * {@link EmbeddedChannel} whose clock the test moves: a client never closes while bytes arrive or while it awaits
 * answers, a server never while it owes answers; a truly silent peer is closed after the configured time, counted by
 * reason; a stall of this process is not blamed on the peer.
 */
class HeartbeatHandlerTest {
    private static final long INTERVAL_MS = 50;
    private static final long TIMEOUT_MS = 300;
    private static final long MAX_IDLE_MS = 300;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger owed = new AtomicInteger();
    private final List<String> suspicions = new ArrayList<>();
    private EmbeddedChannel channel;
    private int pings;

    @AfterEach
    void release() {
        drainOutbound();
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static TransportConfig config() {
        return new TransportConfig().heartbeatIntervalMs(INTERVAL_MS).livenessTimeoutMs(TIMEOUT_MS)
                .connectionsMaxIdleMs(MAX_IDLE_MS);
    }

    private EmbeddedChannel open(boolean client, TransportConfig config) {
        config.conclude();
        TransportMetrics metrics = TransportMetrics.create(registry, client ? "client" : "server", "test", () -> 1);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        ReadActivity activity = new ReadActivity();
        HeartbeatHandler heartbeat = new HeartbeatHandler(client, config, activity, owed::get, metrics);
        heartbeat.onSuspicion(suspicions::add);
        channel.pipeline().addLast(activity, heartbeat);
        return channel;
    }

    /** Moves the clock in small steps, running due checks on time, as a process that is not starved does. */
    private void advance(long ms) {
        for (long done = 0; done < ms; done += 5) {
            channel.advanceTimeBy(Math.min(5, ms - done), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            drainOutbound();
        }
    }

    /** Bytes from the peer (any bytes: part of a frame counts as much as a whole one). */
    private void bytesArrive() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        Object in;
        while ((in = channel.readInbound()) != null) {
            ReferenceCountUtil.release(in);
        }
    }

    private void drainOutbound() {
        if (channel == null) {
            return;
        }
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof OutboundFrame frame && frame.apiId() == ApiKey.HEARTBEAT.id()
                    && (frame.flags() & FrameLayout.FLAG_RESPONSE) == 0) {
                pings++;
            }
            ReferenceCountUtil.release(out);
        }
    }

    private double closed(String side, String reason) {
        Counter counter = registry.find("sluice.transport.connections.closed").tag("side", side)
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aClientKeepsAConnectionWhoseBytesKeepComingHoweverLongNoAnswerToItsPings() {
        open(true, config());
        for (int i = 0; i < 100; i++) { // 10 s, a byte every 100 ms: never an answer to a ping, never silent long
            advance(100);
            bytesArrive();
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(pings).as("pinged in the gaps").isPositive();

        advance(TIMEOUT_MS - 20);
        assertThat(channel.isOpen()).as("silent for less than the liveness timeout").isTrue();
        advance(20 + INTERVAL_MS + 5);
        assertThat(channel.isOpen()).as("silent for the liveness timeout").isFalse();
        assertThat(closed("client", HeartbeatHandler.SILENT)).isEqualTo(1.0);
    }

    @Test
    void aClientPingsASilentPeerAndGivesUpAfterTheLivenessTimeout() {
        open(true, config());
        advance(TIMEOUT_MS - 20);
        assertThat(channel.isOpen()).isTrue();
        assertThat(pings).as("a ping each silent interval").isGreaterThanOrEqualTo(4);
        advance(20 + INTERVAL_MS + 5);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed("client", HeartbeatHandler.SILENT)).isEqualTo(1.0);
    }

    @Test
    void aClientAwaitingAnswersKeepsASilentConnectionAndOnlyReportsItsSuspicionOnce() {
        open(true, config());
        owed.set(1);
        advance(TIMEOUT_MS - 20);
        assertThat(suspicions).isEmpty();
        advance(10_000); // 33 liveness timeouts of silence: the request's own timeout rules, not the silence
        assertThat(channel.isOpen()).isTrue();
        assertThat(pings).as("still pinging").isGreaterThan(100);
        assertThat(closed("client", HeartbeatHandler.SILENT)).isZero();
        assertThat(suspicions).singleElement().asString().contains("nothing heard for")
                .contains("1 answer(s) still awaited");

        owed.set(0);
        advance(INTERVAL_MS + 5);
        assertThat(channel.isOpen()).as("nothing awaited, silent for long: dead").isFalse();
        assertThat(closed("client", HeartbeatHandler.SILENT)).isEqualTo(1.0);
    }

    @Test
    void aServerKeepsAQuietConnectionItOwesAnswersOn() {
        open(false, config());
        owed.set(2); // e.g. parked fetches
        advance(10_000);
        assertThat(channel.isOpen()).isTrue();
        assertThat(pings).as("servers do not ping").isZero();

        owed.set(0);
        advance(INTERVAL_MS + 5);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed("server", HeartbeatHandler.IDLE)).isEqualTo(1.0);
    }

    @Test
    void aServerClosesAConnectionIdleForMaxIdleOwingNothing() {
        open(false, config().connectionsMaxIdleMs(1_000));
        advance(990);
        assertThat(channel.isOpen()).isTrue();
        bytesArrive(); // a ping from a live client restarts the count
        advance(990);
        assertThat(channel.isOpen()).isTrue();
        advance(10 + INTERVAL_MS + 5);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed("server", HeartbeatHandler.IDLE)).isEqualTo(1.0);
    }

    @Test
    void aStallOfThisProcessIsNotBlamedOnThePeer() {
        open(true, config());
        advance(20);
        // this process does not run for 2 s (SIGSTOP, GC, starved CPU): the check runs 2 s late
        channel.advanceTimeBy(2_000, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        drainOutbound();
        assertThat(channel.isOpen()).as("no verdict right after a stall of its own").isTrue();
        assertThat(pings).as("it pings the peer instead").isEqualTo(1);
        advance(10);
        bytesArrive(); // the peer answers at once
        advance(TIMEOUT_MS - 20);
        assertThat(channel.isOpen()).isTrue();
        assertThat(closed("client", HeartbeatHandler.SILENT)).isZero();
    }

    @Test
    void afterItsOwnStallAClientStillGivesUpOnAPeerThatStaysSilent() {
        open(true, config());
        channel.advanceTimeBy(2_000, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        advance(2 * INTERVAL_MS + 5);
        assertThat(channel.isOpen()).as("heard out for an interval, still silent").isFalse();
    }

    @Test
    void thePhiDetectorIsChosenByConfigAndAdaptsToTheArrivals() {
        // regular arrivals every 50 ms; phi with no acceptable pause convicts after a fraction of a second of
        // silence, long before the (here irrelevant) 30 s timeout
        open(true, config().livenessTimeoutMs(30_000).livenessDetector(TransportConfig.Detector.PHI)
                .phiAcceptablePauseMs(0).phiMinStdDeviationMs(10).phiThreshold(8));
        for (int i = 0; i < 100; i++) {
            advance(INTERVAL_MS);
            bytesArrive();
        }
        advance(INTERVAL_MS * 2);
        assertThat(channel.isOpen()).as("two intervals of silence are within what was seen").isTrue();
        advance(1_000);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed("client", HeartbeatHandler.SILENT)).isEqualTo(1.0);
    }

    @Test
    void aServerAnswersPingsAndAClientSwallowsTheAnswersToItsOwn() {
        open(false, config());
        channel.writeInbound(new InboundFrame(0, ApiKey.HEARTBEAT.id(), 7, null, null));
        OutboundFrame answer = channel.readOutbound();
        assertThat(answer.flags() & FrameLayout.FLAG_RESPONSE).isNotZero();
        assertThat(answer.requestId()).isEqualTo(7);
        channel.finishAndReleaseAll();

        open(true, config());
        channel.writeInbound(new InboundFrame(FrameLayout.FLAG_RESPONSE, ApiKey.HEARTBEAT.id(),
                HeartbeatHandler.PING_REQUEST_ID, null, null));
        assertThat((Object) channel.readInbound()).as("the answer to a ping goes no further").isNull();
    }
}
