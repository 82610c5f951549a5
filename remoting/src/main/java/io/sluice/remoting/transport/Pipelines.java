package io.sluice.remoting.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.sluice.remoting.codec.FrameDecoder;
import io.sluice.remoting.codec.FrameEncoder;
import io.sluice.remoting.codec.FrameSplitter;

import java.util.function.IntSupplier;

/**
 * Builds the pipelines of server and client connections, in one place so the order is visible:
 *
 * <pre>
 *  head  TrafficCounter        bytes in/out (only with metrics)
 *        FlushConsolidation    many answers written in one read loop cost one flush (one syscall)
 *        ReadActivity          any byte read is a sign of life: notes when the last one came
 *        FrameEncoder          outbound: OutboundFrame -> bytes; must sit below every handler that writes
 *        FrameSplitter         inbound: bytes -> whole frames; refuses bad and oversize lengths unbuffered
 *        FrameDecoder          inbound: frame -> InboundFrame (magic, version, body, payload slice)
 *        HeartbeatHandler      pings (client) / answers pings (server); closes a dead or idle connection
 *                              (never one owed answers), see HeartbeatHandler
 *        RequestDispatcher     server: request -> RequestHandler | ResponseHandler client: answer -> pending
 *  tail  ProtocolErrorHandler  any exception: close this connection (answering a violation when it can)
 * </pre>
 * Not instantiable.
 */
final class Pipelines {
    /** Flush after this many writes even in a busy read loop. */
    private static final int EXPLICIT_FLUSH_AFTER_FLUSHES = 256;

    private Pipelines() {
    }

    static void initServer(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                           ProtocolErrorHandler errors, RequestDispatcher dispatcher) {
        addCodec(p, config, metrics, false, dispatcher::inFlight);
        p.addLast("dispatcher", dispatcher);
        p.addLast("errors", errors);
    }

    static void initClient(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                           ProtocolErrorHandler errors, ResponseHandler responses) {
        addCodec(p, config, metrics, true, responses::awaited);
        p.addLast("responses", responses);
        p.addLast("errors", errors);
    }

    private static void addCodec(ChannelPipeline p, TransportConfig config, TransportMetrics metrics,
                                 boolean client, IntSupplier owed) {
        if (metrics.enabled()) {
            p.addLast("traffic", new TrafficCounter(metrics));
        }
        p.addLast("flush", new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ReadActivity activity = new ReadActivity();
        p.addLast("idle", activity);
        p.addLast("encoder", new FrameEncoder(config.maxFrameBytes()));
        p.addLast("splitter", new FrameSplitter(config.maxFrameBytes()));
        p.addLast("decoder", new FrameDecoder());
        p.addLast("heartbeat", new HeartbeatHandler(client, config, activity, owed, metrics));
    }
}
