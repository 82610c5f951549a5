package io.sluice.it;

import io.sluice.remoting.protocol.ProducePartition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.transport.FrameLayout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Misbehaving peers of a broker on raw sockets, each written by a daemon thread of its own: clients that send
 * fetches and never read the answers, and clients that send most of a large frame and then dribble. Writes block
 * once the broker stops reading; {@link #close()} closes every socket, which ends the writers.
 */
final class HostilePeers implements AutoCloseable {
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private volatile boolean closed;

    /** {@code connections} clients, each sending {@code fetches} fetches of {@code maxBytes} at offset 0, never reading. */
    HostilePeers nonReadingFetchers(InetSocketAddress broker, int connections, int fetches, String topic,
                                    int partition, int maxBytes) {
        byte[] one = fetchFrame(topic, partition, maxBytes);
        byte[] all = new byte[one.length * fetches];
        ByteBuf view = Unpooled.wrappedBuffer(all);
        for (int i = 0; i < fetches; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
            view.setLong(i * one.length + FrameLayout.REQUEST_ID_OFFSET, i + 1);
        }
        for (int c = 0; c < connections; c++) {
            start(broker, "non-reading-" + c, out -> out.write(all));
        }
        return this;
    }

    /**
     * {@code connections} clients, each sending the header of a produce frame of {@code frameBytes} and then
     * {@code sentBytes} of it, then one more byte every {@code dribbleMs}: the frame never completes.
     */
    HostilePeers partialFrames(InetSocketAddress broker, int connections, int frameBytes, int sentBytes,
                               long dribbleMs) {
        ProduceRequest request = ProduceRequest.of((short) 1, 0,
                java.util.List.of(new ProducePartition("never", 0, frameBytes)));
        byte[] header = frame(ApiKey.PRODUCE, request, frameBytes);
        for (int c = 0; c < connections; c++) {
            start(broker, "partial-frame-" + c, out -> {
                out.write(header);
                byte[] chunk = new byte[64 * 1024];
                for (int sent = header.length; sent < sentBytes; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, sentBytes - sent));
                }
                for (int sent = sentBytes; sent < frameBytes - 1 && !closed; sent++) {
                    out.write(0);
                    out.flush();
                    Thread.sleep(dribbleMs);
                }
            });
        }
        return this;
    }

    /** The size of the answer to one such fetch, read like a well-behaved client would (to check the abuse is real). */
    static int fetchAnswerBytes(InetSocketAddress broker, String topic, int partition, int maxBytes)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(broker, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(fetchFrame(topic, partition, maxBytes));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readInt();
            in.readFully(new byte[length]);
            return length + FrameLayout.LENGTH_FIELD_SIZE;
        }
    }

    private static byte[] fetchFrame(String topic, int partition, int maxBytes) {
        return frame(ApiKey.FETCH, Fetches.one(topic, partition, 0, maxBytes, 0), 0);
    }

    /** Peers whose connection was accepted. */
    int connected() {
        return connected.get();
    }

    /** Writers whose socket the broker closed (or reset) while they were still writing. */
    int refused() {
        return refused.get();
    }

    /** A whole request frame of {@code api} with {@code body} and no payload. */
    static byte[] requestFrame(ApiKey api, Object body) {
        return frame(api, body, 0);
    }

    /** Header and body of a request frame; {@code frameBytes} > 0 claims a frame that long (payload not included). */
    private static byte[] frame(ApiKey api, Object body, int frameBytes) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(0).writeShort(FrameLayout.MAGIC).writeByte(FrameLayout.VERSION).writeByte(0)
                .writeShort(api.id()).writeLong(1).writeInt(0);
        int bodyBytes = MessageCodec.encode(body, buf);
        buf.setInt(FrameLayout.BODY_LENGTH_OFFSET, bodyBytes);
        buf.setInt(0, (frameBytes > 0 ? frameBytes : buf.readableBytes()) - FrameLayout.LENGTH_FIELD_SIZE);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    private interface Writer {
        void write(OutputStream out) throws Exception;
    }

    private void start(InetSocketAddress broker, String name, Writer writer) {
        Thread thread = new Thread(() -> {
            try (Socket socket = new Socket()) {
                sockets.add(socket);
                socket.connect(broker, 5_000);
                connected.incrementAndGet();
                writer.write(socket.getOutputStream());
                while (!closed) {
                    Thread.sleep(100); // stay connected, never read
                }
            } catch (IOException e) {
                if (!closed) {
                    refused.incrementAndGet();
                }
            } catch (Exception e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
