package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.transport.FrameLayout;
import io.sluice.remoting.transport.ReadGate;
import io.sluice.remoting.transport.TransportConfig;

import java.util.concurrent.TimeUnit;

/**
 * Cuts the byte stream of a connection into whole frames by their 4-byte length field and hands them on one at a
 * time, while the connection's {@link ReadGate} admits them and at most {@code framesPerTurn} in a row: then the
 * rest waits for the I/O thread's next pass, so every other connection of the thread gets its turn in between
 * (a thousand connections pipelining thousands of requests each no longer hold up a client that sends one).
 *
 * <p>Memory. A frame that lies whole in the bytes read is handed on as a retained slice of them, not a copy. A
 * frame that arrives in pieces is received into a buffer of exactly its length, reserved first in the server's
 * {@link FrameMemoryPool}; while the reservation waits, the connection is not read (its bytes stay in the kernel).
 * Whatever may be held for long (a frame arriving in pieces, the bytes of a connection that is not being read) is
 * kept in unpooled heap buffers of its exact size: in the pooled allocator, each would pin a whole chunk shared
 * with other buffers, so a few hundred idle bytes per connection could hold megabytes of direct memory.
 * Such a frame must be complete within {@code frameTimeoutMs} of its first piece (time the gate kept the
 * connection unread does not count); otherwise it is answered REQUEST_TIMED_OUT when its header names a request,
 * and the connection is closed. Bytes read but not yet cut are bounded: past {@value #BACKLOG_BYTES} the gate stops
 * reading ({@link ReadGate.Reason#BACKLOG}), so they stay under that plus one read. While it holds whole frames
 * not yet handed on ({@link #holdsWork()}), the connection's peer is not judged silent: this side is busy with it.
 *
 * <p>Refused, before anything of the frame is buffered: a negative length, a length shorter than the frame
 * header, and a frame longer than {@code maxFrameBytes}. An oversize frame whose header shows a valid request is
 * answered {@link ErrorCode#FRAME_TOO_LARGE} (see {@link FrameException}) when its header arrived with its length;
 * one whose header is not in the bytes read is refused without an answer (nothing is held waiting for it). After the
 * first violation the rest of the input is discarded (the connection is being closed).
 *
 * <p>Stateful: one instance per channel, used on its I/O thread only.
 */
public final class FrameSplitter extends ChannelInboundHandlerAdapter {
    /** Bytes read but not yet cut into frames beyond which reading pauses. */
    static final int BACKLOG_BYTES = 64 * 1024;
    private static final int COMPACT_CAPACITY = 4096;
    /** For buffers that may be held for long: exact size, nothing shared with other buffers. */
    private static final ByteBufAllocator HELD = UnpooledByteBufAllocator.DEFAULT;

    private final int maxFrameBytes;
    private final int framesPerTurn;
    private final long frameTimeoutMs;
    private final FrameMemoryPool pool;
    private final ReadGate gate;

    private ChannelHandlerContext ctx;
    /** Bytes read and not yet cut into frames (or moved into {@link #partial}); null when none. */
    private ByteBuf queued;
    /** The frame being received in pieces: its capacity is the frame's length. */
    private ByteBuf partial;
    /** Bytes of the pool held for {@link #partial} (or granted for the frame about to become it). */
    private int granted;
    private FrameMemoryPool.Waiter waiter;
    private ScheduledFuture<?> deadline;
    private int handedOnThisTurn;
    private boolean turnScheduled;
    private boolean draining;
    private boolean failed;
    private boolean gone;

    /** A splitter without a memory bound, deadline, gate or turns (tools and tests of the codec alone). */
    public FrameSplitter(int maxFrameBytes) {
        this(maxFrameBytes, Integer.MAX_VALUE, 0, FrameMemoryPool.unbounded(), null);
    }

    /**
     * @param frameTimeoutMs 0 for no deadline
     * @param gate           may be null only with {@link FrameMemoryPool#unbounded()}
     */
    public FrameSplitter(int maxFrameBytes, int framesPerTurn, long frameTimeoutMs, FrameMemoryPool pool,
                         ReadGate gate) {
        if (gate == null && pool != FrameMemoryPool.unbounded()) {
            throw new IllegalArgumentException("a bounded frame memory pool needs a read gate to wait on");
        }
        this.maxFrameBytes = maxFrameBytes;
        this.framesPerTurn = framesPerTurn;
        this.frameTimeoutMs = frameTimeoutMs;
        this.pool = pool;
        this.gate = gate;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (gate != null) {
            gate.onResume(this::drain);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed || gone) {
            in.release();
            return;
        }
        queued = queued == null ? in : append(queued, in);
        drain();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        handedOnThisTurn = 0; // the I/O thread moves on to the other connections
        ctx.fireChannelReadComplete();
    }

    /**
     * True while it holds whole frames not yet handed on (waiting for their turn or for the gate): the connection's
     * requests are still being worked on, so its peer is not idle however long ago it last sent a byte.
     */
    public boolean holdsWork() {
        if (turnScheduled || partial != null && !partial.isWritable()) {
            return true;
        }
        if (queued == null || queued.readableBytes() < FrameLayout.LENGTH_FIELD_SIZE) {
            return false;
        }
        return queued.readableBytes() >= (long) queued.getInt(queued.readerIndex()) + FrameLayout.LENGTH_FIELD_SIZE;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseAll();
    }

    /** Hands on every whole frame it may; receives a frame in pieces into a buffer of its own. */
    private void drain() {
        if (draining || gone) {
            return;
        }
        draining = true;
        try {
            while (!failed && !gone && ctx.channel().isActive() && hasWork()) {
                if (partial != null && partial.isWritable()) {
                    fillPartial();
                    if (partial.isWritable()) {
                        break; // the rest of the frame is still on its way
                    }
                    cancelDeadline();
                }
                if (!mayHandOn()) {
                    break;
                }
                if (partial != null) {
                    handOnPartial();
                } else {
                    ByteBuf frame = cut();
                    if (frame != null) {
                        handOn(frame);
                    } else if (partial == null) {
                        break; // incomplete: waits for bytes or memory, or the input was refused
                    }
                }
            }
        } finally {
            draining = false;
        }
        afterDrain(); // outside: reopening the gate may run tasks (a next turn) that drain again
    }

    private boolean hasWork() {
        return queued != null || partial != null && !partial.isWritable();
    }

    private boolean mayHandOn() {
        if (handedOnThisTurn >= framesPerTurn) {
            if (!turnScheduled) {
                turnScheduled = true;
                // scheduled, not executed: a task scheduled while tasks run waits for the next pass, so the I/O of
                // every other connection of this thread comes first
                ctx.executor().schedule(this::nextTurn, 0, TimeUnit.NANOSECONDS);
            }
            return false;
        }
        return gate == null || gate.admit();
    }

    private void nextTurn() {
        turnScheduled = false;
        handedOnThisTurn = 0;
        if (draining) { // run from inside a drain: that drain goes on with the new turn
            return;
        }
        drain();
    }

    /** The next whole frame of {@link #queued}, or null (then a partial frame may have been started). */
    private ByteBuf cut() {
        int readable = queued.readableBytes();
        if (readable < FrameLayout.LENGTH_FIELD_SIZE) {
            return null;
        }
        int start = queued.readerIndex();
        if (readable >= FrameLayout.MAGIC_OFFSET + 2 && queued.getShort(start + FrameLayout.MAGIC_OFFSET)
                != FrameLayout.MAGIC) {   // before the length: another protocol's bytes read as a length mislead
            fail(FrameException.unanswerable(ErrorCode.MALFORMED_FRAME, "not a Sluice peer (no frame magic at byte " + FrameLayout.MAGIC_OFFSET + "): it sent "
                    + firstBytes(queued, start)));
            return null;
        }
        int length = queued.getInt(start);
        if (length < FrameLayout.HEADER_SIZE - FrameLayout.LENGTH_FIELD_SIZE) {
            fail(FrameException.unanswerable(ErrorCode.MALFORMED_FRAME, "frame length " + length + " is "
                    + (length < 0 ? "negative" : "shorter than the frame header")));
            return null;
        }
        if ((long) length + FrameLayout.LENGTH_FIELD_SIZE > maxFrameBytes) {
            String message = "frame of " + ((long) length + FrameLayout.LENGTH_FIELD_SIZE) + " bytes exceeds "
                    + TransportConfig.MAX_FRAME_BYTES + "=" + maxFrameBytes;
            // answered when the header came with the length (a real client writes them together); a peer that
            // sends an oversize length without its header is not waited for
            fail(readable >= FrameLayout.HEADER_SIZE ? violation(queued, ErrorCode.FRAME_TOO_LARGE, message)
                    : FrameException.unanswerable(ErrorCode.FRAME_TOO_LARGE, message
                    + " (its header did not come with its length)"));
            return null;
        }
        int frameBytes = length + FrameLayout.LENGTH_FIELD_SIZE;
        if (readable >= frameBytes) {
            ByteBuf frame = queued.retainedSlice(start, frameBytes);
            queued.skipBytes(frameBytes);
            if (!queued.isReadable()) {
                releaseQueued();
            }
            return frame;
        }
        if (reserve(frameBytes)) {
            partial = HELD.heapBuffer(frameBytes, frameBytes);
            if (frameTimeoutMs > 0) {
                deadline = ctx.executor().schedule(this::frameOverdue, frameTimeoutMs, TimeUnit.MILLISECONDS);
            }
        }
        return null;
    }

    /** True once {@code frameBytes} of the pool are held for the next frame; else the connection waits for them. */
    private boolean reserve(int frameBytes) {
        if (granted == frameBytes) {
            return true; // granted while we waited
        }
        if (waiter != null) {
            return false;
        }
        waiter = pool.acquireOrWait(frameBytes, ctx.executor(), this::onGranted);
        if (waiter == null) {
            granted = frameBytes;
            return true;
        }
        gate.close(ReadGate.Reason.FRAME_MEMORY);
        return false;
    }

    private void onGranted(int bytes) {
        waiter = null;
        if (gone || failed) {
            pool.release(bytes);
            return;
        }
        granted = bytes;
        gate.open(ReadGate.Reason.FRAME_MEMORY);
    }

    private void fillPartial() {
        int n = Math.min(partial.writableBytes(), queued.readableBytes());
        partial.writeBytes(queued, n);
        if (!queued.isReadable()) {
            releaseQueued();
        }
    }

    private void handOn(ByteBuf frame) {
        handedOnThisTurn++;
        ctx.fireChannelRead(frame);
    }

    private void handOnPartial() {
        ByteBuf frame = partial;
        int bytes = granted;
        partial = null;
        granted = 0;
        try {
            handOn(frame);
        } finally {
            pool.release(bytes); // handled: whoever kept the frame owns it now
        }
    }

    /**
     * Bounds what stays queued: pauses reading past the backlog; moves what waits for the gate, or a few leftover
     * bytes of a frame, out of the read buffer into a held buffer of its own.
     */
    private void afterDrain() {
        if (gone) {
            return;
        }
        if (queued != null) {
            int readable = queued.readableBytes();
            boolean waiting = gate != null && !gate.admitting();
            if (queued.isDirect() && (waiting || readable < FrameLayout.HEADER_SIZE
                    && queued.capacity() > COMPACT_CAPACITY)) {
                ByteBuf held = HELD.heapBuffer(Math.max(readable, FrameLayout.HEADER_SIZE));
                held.writeBytes(queued);
                releaseQueued();
                queued = held;
            }
        }
        if (gate != null) { // last: reopening may run tasks that drain again
            if (queued != null && queued.readableBytes() > BACKLOG_BYTES) {
                gate.close(ReadGate.Reason.BACKLOG);
            } else {
                gate.open(ReadGate.Reason.BACKLOG);
            }
        }
    }

    private void frameOverdue() {
        deadline = null;
        if (partial == null || !partial.isWritable() || gone || failed) {
            return;
        }
        if (gate != null && !gate.isOpen()) { // not being read: the peer is not to blame, give it the time again
            deadline = ctx.executor().schedule(this::frameOverdue, frameTimeoutMs, TimeUnit.MILLISECONDS);
            return;
        }
        fail(violation(partial, ErrorCode.REQUEST_TIMED_OUT, "a frame of " + partial.capacity() + " bytes was not"
                + " complete after " + frameTimeoutMs + " ms (" + partial.readableBytes() + " bytes received; "
                + TransportConfig.FRAME_TIMEOUT_MS + ")"));
    }

    /** Up to 16 bytes from {@code start}, as text where printable ('HTTP/1.1 400 Bad'), for a person to recognize. */
    private static String firstBytes(ByteBuf buf, int start) {
        int n = Math.min(16, buf.writerIndex() - start);
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < n; i++) {
            int c = buf.getByte(start + i) & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('\'').toString();
    }

    /** A violation in the frame at the start of {@code buf}, answerable if its header shows a request. */
    private static FrameException violation(ByteBuf buf, ErrorCode code, String message) {
        int start = buf.readerIndex();
        if (buf.readableBytes() >= FrameLayout.HEADER_SIZE
                && buf.getShort(start + FrameLayout.MAGIC_OFFSET) == FrameLayout.MAGIC
                && FrameDecoder.expectsAnswer(buf.getByte(start + FrameLayout.FLAGS_OFFSET))) {
            short apiId = buf.getShort(start + FrameLayout.API_KEY_OFFSET);
            long requestId = buf.getLong(start + FrameLayout.REQUEST_ID_OFFSET);
            byte version = buf.getByte(start + FrameLayout.VERSION_OFFSET);
            if (version != FrameLayout.VERSION) { // the real problem; answered in the peer's version, which it reads
                return FrameException.answerable(ErrorCode.UNSUPPORTED_VERSION,
                        FrameDecoder.refusalOfVersion(version) + " (" + message + ")", apiId, requestId, version);
            }
            return FrameException.answerable(code, message, apiId, requestId);
        }
        return FrameException.unanswerable(code, message);
    }

    private void fail(FrameException e) {
        failed = true;
        releaseBuffers();
        ctx.fireExceptionCaught(e);
    }

    private ByteBuf append(ByteBuf cumulation, ByteBuf in) {
        if (!cumulation.isReadable()) {
            cumulation.release();
            return in;
        }
        try {
            if (cumulation.refCnt() == 1 && !cumulation.isReadOnly()
                    && cumulation.capacity() - cumulation.writerIndex() >= in.readableBytes()) {
                cumulation.writeBytes(in); // no slice of it is still held: safe to write into, no reallocation
                return cumulation;
            }
            int bytes = cumulation.readableBytes() + in.readableBytes();
            ByteBuf merged = cumulation.isDirect() ? ctx.alloc().ioBuffer(bytes) : HELD.heapBuffer(bytes);
            merged.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            return merged;
        } finally {
            in.release();
        }
    }

    private void releaseQueued() {
        if (queued != null) {
            queued.release();
            queued = null;
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void releaseBuffers() {
        releaseQueued();
        if (partial != null) {
            partial.release();
            partial = null;
        }
        cancelDeadline();
        if (waiter != null && pool.cancel(waiter)) {
            waiter = null; // else it was granted: onGranted gives the bytes back
        }
        pool.release(granted);
        granted = 0;
    }

    private void releaseAll() {
        gone = true;
        releaseBuffers();
    }
}
