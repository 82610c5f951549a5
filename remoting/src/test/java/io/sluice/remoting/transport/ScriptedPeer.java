package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.codec.FrameDecoder;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.protocol.ApiKey;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 that a test scripts byte by byte, to play a peer that is silent, slow or trickling: it
 * accepts one connection, reads its frames on a thread of its own (counting pings, never answering them, queueing
 * every other request) and writes only what the test tells it to.
 */
final class ScriptedPeer implements AutoCloseable {
    private final ServerSocket listener;
    private final BlockingQueue<Long> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger pings = new AtomicInteger();
    private volatile Socket socket;
    private volatile boolean eof;

    ScriptedPeer() throws IOException {
        listener = new ServerSocket(0, 10, InetAddress.getByName(TransportFixture.HOST));
    }

    InetSocketAddress address() {
        return new InetSocketAddress(TransportFixture.HOST, listener.getLocalPort());
    }

    /** Accepts the client's connection and starts reading it. */
    ScriptedPeer accept() throws IOException {
        listener.setSoTimeout(10_000);
        socket = listener.accept();
        Thread reader = new Thread(this::read, "scripted-peer-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = in.readInt();
                byte[] rest = new byte[length];
                in.readFully(rest);
                ByteBuf raw = Unpooled.buffer(length + 4).writeInt(length).writeBytes(rest);
                InboundFrame frame;
                try {
                    frame = FrameDecoder.decode(raw);
                } finally {
                    raw.release();
                }
                frame.release();
                if (frame.apiKey() == ApiKey.HEARTBEAT) {
                    pings.incrementAndGet();
                } else {
                    requests.add(frame.requestId());
                }
            }
        } catch (IOException e) {
            eof = true;
        }
    }

    /** The id of the next request (not a ping) the client sent, waiting up to 10 s. */
    long nextRequest() throws InterruptedException {
        Long id = requests.poll(10, TimeUnit.SECONDS);
        if (id == null) {
            throw new AssertionError("no request arrived within 10 s");
        }
        return id;
    }

    /** Requests (other than pings) received and not yet taken by {@link #nextRequest()}. */
    int requestsWaiting() {
        return requests.size();
    }

    int pings() {
        return pings.get();
    }

    /** True once the client closed the connection (the reader saw the end of the stream). */
    boolean closedByClient() {
        return eof;
    }

    /** Answers request {@code requestId} of {@code api} with an empty response (no body, no payload). */
    void answer(ApiKey api, long requestId) throws IOException {
        write(header(FrameLayout.HEADER_SIZE - 4, FrameLayout.FLAG_RESPONSE, api, requestId));
    }

    /** The header of a frame {@code frameLength} long (after the length field), with an empty body. */
    static byte[] header(int frameLength, int flags, ApiKey api, long requestId) {
        ByteBuf header = RawSocket.header(frameLength, FrameLayout.MAGIC, FrameLayout.VERSION, flags, api.id(),
                requestId, 0);
        try {
            byte[] bytes = new byte[header.readableBytes()];
            header.readBytes(bytes);
            return bytes;
        } finally {
            header.release();
        }
    }

    void write(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        listener.close();
    }
}
