package io.sluice.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many connections that each send the same burst of request frames at once and read every answer, driven by one
 * thread on a selector (so a thousand of them cost a thread and a few bytes each): the pipelining flood. Counts
 * the answers, and error answers apart.
 */
final class FloodClients implements AutoCloseable {
    private static final int FLAGS_INDEX = 3; // of the bytes after the length field: magic (2), version, flags
    private static final int FLAG_ERROR = 2;

    private final byte[] burst;
    private final int framesPerBurst;
    private final Selector selector;
    private final List<Flooder> flooders = new ArrayList<>();
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    /** Connects {@code connections} sockets now; {@link #start()} sends the bursts. */
    FloodClients(InetSocketAddress server, int connections, byte[] frame, int framesPerBurst) throws IOException {
        this.framesPerBurst = framesPerBurst;
        this.burst = new byte[frame.length * framesPerBurst];
        for (int i = 0; i < framesPerBurst; i++) {
            System.arraycopy(frame, 0, burst, i * frame.length, frame.length);
        }
        selector = Selector.open();
        for (int i = 0; i < connections; i++) {
            SocketChannel channel = SocketChannel.open(server);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            flooders.add(new Flooder(channel));
        }
        thread = new Thread(this::run, "flood-clients");
        thread.setDaemon(true);
    }

    void start() throws IOException {
        for (Flooder f : flooders) {
            f.channel.register(selector, SelectionKey.OP_WRITE | SelectionKey.OP_READ, f);
        }
        thread.start();
    }

    long expectedAnswers() {
        return (long) flooders.size() * framesPerBurst;
    }

    long answers() {
        return answers.get();
    }

    long errors() {
        return errors.get();
    }

    /** Connections that have all their answers. */
    long complete() {
        return flooders.stream().filter(f -> f.answered == framesPerBurst).count();
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (!closed) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Flooder f = (Flooder) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        f.write(key);
                    }
                    if (key.isValid() && key.isReadable()) {
                        f.read(key, in);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!closed) {
                throw new IllegalStateException("flood client failed", e);
            }
        }
    }

    /** One connection: where it is in its burst and in the answer being read. */
    private final class Flooder {
        final SocketChannel channel;
        final ByteBuffer out = ByteBuffer.wrap(burst);
        int lengthBytes;
        int length;
        int bodyRead;
        int answered;

        Flooder(SocketChannel channel) {
            this.channel = channel;
        }

        void write(SelectionKey key) throws IOException {
            channel.write(out);
            if (!out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        void read(SelectionKey key, ByteBuffer in) throws IOException {
            in.clear();
            int n = channel.read(in);
            if (n < 0) {
                key.cancel();
                return;
            }
            in.flip();
            while (in.hasRemaining()) {
                if (lengthBytes < 4) {
                    length = (length << 8) | (in.get() & 0xFF);
                    lengthBytes++;
                    continue;
                }
                int take = Math.min(in.remaining(), length - bodyRead);
                if (bodyRead <= FLAGS_INDEX && bodyRead + take > FLAGS_INDEX
                        && (in.get(in.position() + FLAGS_INDEX - bodyRead) & FLAG_ERROR) != 0) {
                    errors.incrementAndGet();
                }
                in.position(in.position() + take);
                bodyRead += take;
                if (bodyRead == length) {
                    answered++;
                    answers.incrementAndGet();
                    lengthBytes = 0;
                    length = 0;
                    bodyRead = 0;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        closed = true;
        selector.wakeup();
        thread.join(5_000);
        for (Flooder f : flooders) {
            f.channel.close();
        }
        selector.close();
    }
}
