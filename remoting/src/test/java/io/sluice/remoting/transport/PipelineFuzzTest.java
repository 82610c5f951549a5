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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds random and mutated bytes to the whole server pipeline on an {@link EmbeddedChannel}: nothing may escape the
 * pipeline as an exception, and no buffer may leak. Each property runs over hundreds of cases, each generated from its
 * own seed; a failure names that seed, and {@code -Dsluice.test.seed=N} replays exactly that case.
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

    @BeforeAll
    static void checkTracker() {
        assertThat(LeakTracker.active()).as("leak tracker installed").isTrue();
    }

    @AfterAll
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

    @Test
    void randomBytesNeverEscapeThePipeline() {
        forEachCase(400, random -> {
            List<byte[]> chunks = new ArrayList<>();
            int count = size(random, 6);
            for (int i = 0; i < count; i++) {
                chunks.add(bytes(random, size(random, 300)));
            }
            feed(chunks);
        });
    }

    @Test
    void mutatedValidFramesNeverEscapeThePipeline() {
        forEachCase(400, random -> {
            byte[] frame = frame(random);
            int position = random.nextInt(10_001);
            byte xor = (byte) random.nextInt(256);
            int chunkSize = 1 + size(random, 63);
            byte[] mutated = frame.clone();
            mutated[position % mutated.length] ^= xor;
            byte[] twice = new byte[mutated.length * 2];
            System.arraycopy(mutated, 0, twice, 0, mutated.length);
            System.arraycopy(frame, 0, twice, mutated.length, frame.length);
            List<byte[]> chunks = new ArrayList<>();
            for (int i = 0; i < twice.length; i += chunkSize) {
                chunks.add(Arrays.copyOfRange(twice, i, Math.min(twice.length, i + chunkSize)));
            }
            feed(chunks);
        });
    }

    /**
     * Runs {@code body} for {@code cases} seeds drawn from a fresh random base seed (or only for the seed given as
     * {@code -Dsluice.test.seed}); a failure is reported with the seed that reproduces it.
     */
    private static void forEachCase(int cases, Consumer<Random> body) {
        String replay = System.getProperty("sluice.test.seed");
        Random seeds = new Random();
        for (int i = 0; i < (replay == null ? cases : 1); i++) {
            long seed = replay == null ? seeds.nextLong() : Long.parseLong(replay);
            try {
                body.accept(new Random(seed));
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " failed; replay it with -Dsluice.test.seed=" + seed
                        + " -Dtest=" + PipelineFuzzTest.class.getSimpleName(), t);
            }
        }
    }

    /** A size in [0, max], often one of the edges (0, 1, max) as a property-testing library would pick. */
    private static int size(Random random, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> Math.min(1, max);
            case 2 -> max;
            default -> random.nextInt(max + 1);
        };
    }

    private static byte[] bytes(Random random, int length) {
        byte[] out = new byte[length];
        if (random.nextInt(8) == 0) {
            Arrays.fill(out, random.nextBoolean() ? (byte) 0 : (byte) -1);
        } else {
            random.nextBytes(out);
        }
        return out;
    }

    /** Up to 40 characters: ASCII, any BMP character (lone surrogates included) or supplementary code points. */
    private static String text(Random random) {
        StringBuilder out = new StringBuilder();
        int length = size(random, 40);
        while (out.length() < length) {
            switch (random.nextInt(3)) {
                case 0 -> out.append((char) (' ' + random.nextInt(95)));
                case 1 -> out.append((char) random.nextInt(Character.MAX_VALUE + 1));
                default -> out.appendCodePoint(Character.MIN_SUPPLEMENTARY_CODE_POINT
                        + random.nextInt(Character.MAX_CODE_POINT - Character.MIN_SUPPLEMENTARY_CODE_POINT + 1));
            }
        }
        return out.toString();
    }

    /** A well-formed frame of a random kind, flags, text and trailing payload. */
    private static byte[] frame(Random random) {
        ApiKey[] keys = {ApiKey.RPC_INVOKE, ApiKey.FETCH, ApiKey.HEARTBEAT, ApiKey.PRODUCE};
        return frame(keys[random.nextInt(keys.length)], random.nextInt(8), text(random),
                bytes(random, size(random, 200)));
    }

    private static byte[] frame(ApiKey key, int flags, String text, byte[] payload) {
        Object body;
        if (key == ApiKey.RPC_INVOKE) {
            RpcRequest rpc = new RpcRequest();
            rpc.service = text;
            rpc.parameterTypes = List.of(text, "x");
            rpc.attachments = Map.of("k", text);
            body = rpc;
        } else if (key == ApiKey.FETCH) {
            FetchRequest fetch = new FetchRequest();
            fetch.partitions = List.of(new io.sluice.remoting.protocol.FetchPartition(text, 0,
                    text.length() * 1_000_000_007L, 1024, -1));
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
