package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.RpcRequest;
import io.sluice.remoting.testing.LeakTracker;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds random and mutated bytes to the whole server pipeline on an {@link EmbeddedChannel}: nothing may escape the
 * pipeline as an exception, and no buffer may leak.
 */
class PipelineFuzzTest {
    private static final TransportConfig CONFIG = new TransportConfig().maxFrameBytes(4096).maxInFlight(16)
            .conclude();
    private static final RequestHandler[] HANDLERS = new RequestHandler[ApiKey.values().length];

    static {
        LeakTracker.install();
        HANDLERS[ApiKey.RPC_INVOKE.ordinal()] = (ctx, request, payload) -> ctx.respond(null,
                payload.retainedSlice());
        HANDLERS[ApiKey.FETCH.ordinal()] = (ctx, request, payload) -> {
            throw new IllegalStateException("handler failure");
        };
    }

    @BeforeContainer
    static void checkTracker() {
        assertThat(LeakTracker.active()).as("leak tracker installed").isTrue();
    }

    @AfterContainer
    static void noLeaks() {
        LeakTracker.assertNoLeaks();
    }

    private static EmbeddedChannel serverChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ServerBudget budget = new ServerBudget(CONFIG);
        Pipelines.initServer(channel.pipeline(), CONFIG, TransportMetrics.NOOP,
                new ProtocolErrorHandler(TransportMetrics.NOOP), budget,
                gate -> new RequestDispatcher("fuzz", HANDLERS, gate, budget, CONFIG, TransportMetrics.NOOP));
        return channel;
    }

    /** Writes the chunks in order; nothing may be thrown out of the pipeline. */
    private static void feed(List<byte[]> chunks) {
        EmbeddedChannel channel = serverChannel();
        try {
            for (byte[] chunk : chunks) {
                if (!channel.isOpen()) {
                    break;
                }
                channel.writeInbound(Unpooled.wrappedBuffer(chunk));
                channel.runPendingTasks();
            }
            channel.checkException();
        } finally {
            Object out;
            while ((out = channel.readOutbound()) != null) {
                ReferenceCountUtil.release(out);
            }
            channel.finishAndReleaseAll();
        }
    }

    @Property(tries = 400)
    void randomBytesNeverEscapeThePipeline(@ForAll @Size(max = 6) List<@Size(max = 300) byte[]> chunks) {
        feed(chunks);
    }

    @Property(tries = 400)
    void mutatedValidFramesNeverEscapeThePipeline(@ForAll("frames") byte[] frame,
                                                   @ForAll @IntRange(min = 0, max = 10_000) int position,
                                                   @ForAll byte xor,
                                                   @ForAll @IntRange(min = 1, max = 64) int chunkSize) {
        byte[] mutated = frame.clone();
        mutated[position % mutated.length] ^= xor;
        byte[] twice = new byte[mutated.length * 2];
        System.arraycopy(mutated, 0, twice, 0, mutated.length);
        System.arraycopy(frame, 0, twice, mutated.length, frame.length);
        List<byte[]> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < twice.length; i += chunkSize) {
            chunks.add(java.util.Arrays.copyOfRange(twice, i, Math.min(twice.length, i + chunkSize)));
        }
        feed(chunks);
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<ApiKey> keys = Arbitraries.of(ApiKey.RPC_INVOKE, ApiKey.FETCH, ApiKey.HEARTBEAT, ApiKey.PRODUCE);
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 7);
        Arbitrary<String> texts = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        return net.jqwik.api.Combinators.combine(keys, flags, texts, payloads).as(PipelineFuzzTest::frame);
    }

    private static byte[] frame(ApiKey key, int flags, String text, byte[] payload) {
        Object body;
        if (key == ApiKey.RPC_INVOKE) {
            RpcRequest rpc = new RpcRequest();
            rpc.service = text;
            rpc.parameterTypes = List.of(text, "x");
            rpc.attachments = java.util.Map.of("k", text);
            body = rpc;
        } else if (key == ApiKey.FETCH) {
            FetchRequest fetch = new FetchRequest();
            fetch.topic = text;
            fetch.offset = text.length() * 1_000_000_007L;
            body = fetch;
        } else {
            body = null;
        }
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeInt(0).writeShort(FrameLayout.MAGIC).writeByte(FrameLayout.VERSION).writeByte(flags)
                    .writeShort(key.id()).writeLong(text.length() + 1).writeInt(0);
            int bodyBytes = MessageCodec.encode(body, buf);
            buf.setInt(FrameLayout.BODY_LENGTH_OFFSET, bodyBytes);
            buf.writeBytes(payload);
            buf.setInt(0, buf.readableBytes() - 4);
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }
}
