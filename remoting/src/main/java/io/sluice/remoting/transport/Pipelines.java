package io.sluice.remoting.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.remoting.codec.FrameDecoder;
import io.sluice.remoting.codec.FrameEncoder;
import io.sluice.remoting.codec.FrameMemoryPool;
import io.sluice.remoting.codec.FrameSplitter;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Builds the pipelines of server and client connections, in one place so the order is visible:
 *
 * <pre>
 *  head  TrafficCounter        bytes in/out (only with metrics)
 *        FlushConsolidation    many answers written in one read loop cost one flush (one syscall)
 *        IdleStateHandler      any byte read is a sign of life; reader-idle events each heartbeat interval
 *        WriteStallHandler     server: closes a connection whose waiting answers have not moved for a while
 *        ReadGate              stops and restarts reading the connection (autoRead), for the reasons below;
 *                              no reader-idle event passes while it is not reading
 *        FrameEncoder          outbound: OutboundFrame -> bytes; must sit below every handler that writes
 *        FrameSplitter         inbound: bytes -> whole frames, handed on while the gate admits them and a few per
 *                              turn of the I/O thread; frames in pieces take pooled memory first (server: bounded,
 *                              with a deadline); refuses bad and oversize lengths unbuffered
 *        FrameDecoder          inbound: frame -> InboundFrame (magic, version, flags, body, payload slice)
 *        HeartbeatHandler      pings (client) / answers pings (server); closes a silent connection
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
        addCodec(p, config, metrics, false, gate, new FrameSplitter(config.maxFrameBytes(),
                config.maxFramesPerTurn(), config.frameTimeoutMs(), budget.frames(), gate));
        if (config.writeTimeoutMs() > 0) {
            p.addAfter("idle", "stall", new WriteStallHandler(config.writeTimeoutMs(), metrics));
        }
        p.addLast("dispatcher", dispatcher.apply(gate));
        p.addLast("errors", errors);
    }

    static void initClient(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                           ProtocolErrorHandler errors, ResponseHandler responses) {
        // a client's memory for answers is bounded by what it asks for (fetch sizes): no pool, no deadline
        ReadGate gate = new ReadGate(null);
        addCodec(p, config, metrics, true, gate, new FrameSplitter(config.maxFrameBytes(),
                config.maxFramesPerTurn(), 0, FrameMemoryPool.unbounded(), gate));
        p.addLast("responses", responses);
        p.addLast("errors", errors);
    }

    private static void addCodec(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                                 boolean pings, ReadGate gate, FrameSplitter splitter) {
        if (metrics.enabled()) {
            p.addLast("traffic", new TrafficCounter(metrics));
        }
        p.addLast("flush", new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        p.addLast("idle", new IdleStateHandler(config.heartbeatIntervalMs(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("gate", gate);
        p.addLast("encoder", new FrameEncoder(config.maxFrameBytes()));
        p.addLast("splitter", splitter);
        p.addLast("decoder", new FrameDecoder());
        p.addLast("heartbeat", new HeartbeatHandler(pings, config));
    }
}
