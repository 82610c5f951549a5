package io.sluice.remoting.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.sluice.remoting.codec.FrameDecoder;
import io.sluice.remoting.codec.FrameEncoder;
import io.sluice.remoting.codec.FrameMemoryPool;
import io.sluice.remoting.codec.FrameSplitter;

import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * Builds the pipelines of server and client connections, in one place so the order is visible:
 *
 * <pre>
 *  head  TrafficCounter        bytes in/out (only with metrics)
 *        FlushConsolidation    many answers written in one read loop cost one flush (one syscall)
 *        ReadActivity          any byte read is a sign of life: notes when the last one came
 *        WriteStallHandler     server: closes a connection whose waiting answers have not moved for a while
 *        ReadGate              stops and restarts reading the connection (autoRead), for the reasons below
 *        FrameEncoder          outbound: OutboundFrame -> bytes; must sit below every handler that writes
 *        FrameSplitter         inbound: bytes -> whole frames, handed on while the gate admits them and a few per
 *                              turn of the I/O thread; frames in pieces take pooled memory first (server: bounded,
 *                              with a deadline); refuses bad and oversize lengths unbuffered
 *        FrameDecoder          inbound: frame -> InboundFrame (magic, version, flags, body, payload slice)
 *        HeartbeatHandler      pings (client) / answers pings (server); closes a dead or idle connection, never
 *                              one owed answers, being held back by its gate or with frames still to hand on
 *        RequestDispatcher     server: request -> RequestHandler, closing the gate at the connection's bounds
 *      | ResponseHandler       client: answer -> pending request
 *  tail  ProtocolErrorHandler  any exception: close this connection (answering a violation when it can)
 * </pre>
 * Not instantiable.
 */
final class Pipelines {
    /** Flush after this many writes even in a busy read loop. */
    private static final int EXPLICIT_FLUSH_AFTER_FLUSHES = 256;

    private Pipelines() {
    }

    /** {@code dispatcher} makes the connection's dispatcher around its gate. */
    static void initServer(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                           ProtocolErrorHandler errors, ServerBudget budget,
                           Function<ReadGate, RequestDispatcher> dispatcher) {
        ReadGate gate = new ReadGate(budget.paused());
        RequestDispatcher requests = dispatcher.apply(gate);
        addCodec(p, config, metrics, false, gate, new FrameSplitter(config.maxFrameBytes(),
                config.maxFramesPerTurn(), config.frameTimeoutMs(), budget.frames(), gate), requests::inFlight);
        if (config.writeTimeoutMs() > 0) {
            p.addAfter("idle", "stall", new WriteStallHandler(config.writeTimeoutMs(), metrics));
        }
        p.addLast("dispatcher", requests);
        p.addLast("errors", errors);
    }

    static void initClient(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                           ProtocolErrorHandler errors, ResponseHandler responses) {
        // a client's memory for answers is bounded by what it asks for (fetch sizes): no pool, no deadline
        ReadGate gate = new ReadGate(null);
        addCodec(p, config, metrics, true, gate, new FrameSplitter(config.maxFrameBytes(),
                config.maxFramesPerTurn(), 0, FrameMemoryPool.unbounded(), gate), responses::awaited);
        p.addLast("responses", responses);
        p.addLast("errors", errors);
    }

    private static void addCodec(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                                 boolean client, ReadGate gate, FrameSplitter splitter, IntSupplier answers) {
        if (metrics.enabled()) {
            p.addLast("traffic", new TrafficCounter(metrics));
        }
        p.addLast("flush", new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ReadActivity activity = new ReadActivity();
        p.addLast("idle", activity);
        p.addLast("gate", gate);
        p.addLast("encoder", new FrameEncoder(config.maxFrameBytes()));
        p.addLast("splitter", splitter);
        p.addLast("decoder", new FrameDecoder());
        // owed: the answers awaited (client) or owed (server), plus one while this side is not reading the peer or
        // still holds its frames: silence is then this side's doing, never the peer's
        IntSupplier owed = () -> answers.getAsInt() + (gate.isOpen() && !splitter.holdsWork() ? 0 : 1);
        p.addLast("heartbeat", new HeartbeatHandler(client, config, activity, owed, metrics));
    }
}
