package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.codec.FrameDecoder;
import io.sluice.remoting.codec.InboundFrame;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A plain blocking socket that speaks raw bytes to a server, for hostile-peer tests. */
final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;

    RawSocket(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 2_000);
        socket.setSoTimeout(5_000);
        in = new DataInputStream(socket.getInputStream());
    }

    static ByteBuf header(int frameLength, short magic, byte version, int flags, short apiId, long requestId,
                          int bodyLength) {
        return Unpooled.buffer().writeInt(frameLength).writeShort(magic).writeByte(version).writeByte(flags)
                .writeShort(apiId).writeLong(requestId).writeInt(bodyLength);
    }

    RawSocket write(ByteBuf bytes) throws IOException {
        try {
            byte[] raw = new byte[bytes.readableBytes()];
            bytes.readBytes(raw);
            socket.getOutputStream().write(raw);
            socket.getOutputStream().flush();
            return this;
        } finally {
            bytes.release();
        }
    }

    RawSocket write(byte[] raw) throws IOException {
        socket.getOutputStream().write(raw);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads one whole frame and decodes it; the caller releases it. */
    InboundFrame readFrame() throws IOException {
        int length = in.readInt();
        byte[] rest = new byte[length];
        in.readFully(rest);
        ByteBuf frame = Unpooled.buffer(length + 4).writeInt(length).writeBytes(rest);
        try {
            return FrameDecoder.decode(frame);
        } finally {
            frame.release();
        }
    }

    /** True if the peer closed the connection (EOF or reset) within 5 s. */
    boolean closedByPeer() throws IOException {
        return closedByPeer(5_000);
    }

    /** True if the peer closed the connection (EOF or reset) within {@code timeoutMs}. */
    boolean closedByPeer(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
