package io.sluice.remoting.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops and restarts reading one connection: the socket is read (Netty {@code autoRead}) only while no
 * {@link Reason} holds, and requests are handed on (see {@link #admit()}) only while no reason other than
 * {@link Reason#BACKLOG} holds. Bytes that arrive meanwhile stay in the kernel's socket buffer, and TCP flow
 * control slows the peer down: a connection is never answered errors for being busy, only read more slowly.
 *
 * <p>The {@link io.sluice.remoting.codec.FrameSplitter} asks {@link #admit()} before it hands on each frame; the
 * admission check ({@link #admission(Runnable)}, the server's {@link RequestDispatcher}) closes the gate for the
 * reasons that hold, and whoever relieves a reason opens it again, which resumes the splitter. While the gate is
 * closed, the {@link HeartbeatHandler} judges no silence: a peer that is not being read says nothing by it.
 *
 * <p>A handler in the pipeline (just after {@link ReadActivity}); one per channel, used on its I/O thread only.
 */
public final class ReadGate extends ChannelInboundHandlerAdapter {
    /** Why a connection is not read. */
    public enum Reason {
        /** The splitter waits for memory to receive a frame that arrives in pieces. */
        FRAME_MEMORY,
        /** The connection has as many requests in flight as it may. */
        IN_FLIGHT,
        /** Answers waiting to be written on the connection exceed its bound. */
        UNWRITTEN,
        /** The connection's outgoing buffer is above its high water mark (the peer reads slowly, or not at all). */
        UNWRITABLE,
        /** The server's requests or answers are over their bounds and this connection holds more than its share. */
        SERVER_BUSY,
        /** Bytes read but not yet cut into frames exceed the splitter's backlog; frames are still handed on. */
        BACKLOG;

        final int bit = 1 << ordinal();
    }

    private static final int ADMISSION_MASK = ~Reason.BACKLOG.bit;

    private final AtomicInteger pausedConnections;
    private Channel channel;
    private Runnable admission;
    private Runnable resume;
    private int reasons;
    private boolean inactive;

    /** {@code pausedConnections} (may be null) counts the connections of a server whose gate is closed. */
    public ReadGate(AtomicInteger pausedConnections) {
        this.pausedConnections = pausedConnections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** The check run by {@link #admit()}: it closes the gate for every reason that holds. */
    public void admission(Runnable check) {
        this.admission = check;
    }

    /** Called when the gate admits frames again after it did not (the splitter hands on what it holds). */
    public void onResume(Runnable action) {
        this.resume = action;
    }

    /** Runs the admission check; true if a frame may be handed on now. */
    public boolean admit() {
        if (admission != null && (reasons & ADMISSION_MASK) == 0) {
            admission.run();
        }
        return (reasons & ADMISSION_MASK) == 0;
    }

    /** True if no reason but BACKLOG holds: frames may be handed on (subject to {@link #admit()}). */
    public boolean admitting() {
        return (reasons & ADMISSION_MASK) == 0;
    }

    /** True if nothing stops reading. */
    public boolean isOpen() {
        return reasons == 0;
    }

    public boolean holds(Reason reason) {
        return (reasons & reason.bit) != 0;
    }

    /** Stops reading (and, unless the reason is BACKLOG, handing on frames) until {@code reason} is lifted. */
    public void close(Reason reason) {
        if (inactive || (reasons & reason.bit) != 0) {
            return;
        }
        if (reasons == 0) {
            channel.config().setAutoRead(false);
            if (pausedConnections != null) {
                pausedConnections.incrementAndGet();
            }
        }
        reasons |= reason.bit;
    }

    /** Lifts {@code reason}; once nothing holds, frames are handed on and the socket is read again. */
    public void open(Reason reason) {
        if ((reasons & reason.bit) == 0) {
            return;
        }
        boolean wasAdmitting = (reasons & ADMISSION_MASK) == 0;
        reasons &= ~reason.bit;
        if (!wasAdmitting && (reasons & ADMISSION_MASK) == 0 && resume != null) {
            resume.run(); // may close the gate again
        }
        if (reasons == 0) {
            if (pausedConnections != null) {
                pausedConnections.decrementAndGet();
            }
            channel.config().setAutoRead(true);
        }
    }

    /** {@link #open} from any thread: runs on the connection's I/O thread. */
    public void openLater(Reason reason) {
        channel.eventLoop().execute(() -> open(reason));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (reasons != 0 && pausedConnections != null) {
            pausedConnections.decrementAndGet();
        }
        reasons = 0;
        inactive = true;
        ctx.fireChannelInactive();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ReadGate{");
        for (Reason r : Reason.values()) {
            if (holds(r)) {
                sb.append(' ').append(r);
            }
        }
        return sb.append(" }").toString();
    }
}
