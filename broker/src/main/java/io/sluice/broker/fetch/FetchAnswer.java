package io.sluice.broker.fetch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.FetchedPartition;
import io.sluice.remoting.transport.RequestContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What one fetch read, partition by partition, before it is sent: each entry's state or error and its records,
 * which become the payload as they are (a composite of the buffers read, never copied or re-encoded). Sent once with
 * {@link #respond}, or given up with {@link #release}. Not thread-safe.
 */
public final class FetchAnswer {
    private final List<FetchSession.Entry> entries;
    private final List<FetchedPartition> results;
    private final List<ByteBuf> records;
    private int bytes;
    private boolean anyError;

    FetchAnswer(int capacity) {
        this.entries = new ArrayList<>(capacity);
        this.results = new ArrayList<>(capacity);
        this.records = new ArrayList<>(capacity);
    }

    void add(FetchSession.Entry entry, FetchedPartition result, ByteBuf batches) {
        entries.add(entry);
        results.add(result);
        records.add(batches);
        bytes += batches.readableBytes();
        anyError |= result.errorCode != 0;
    }

    /** Payload bytes read so far. */
    public int bytes() {
        return bytes;
    }

    public boolean anyError() {
        return anyError;
    }

    /**
     * Sends the answer: every partition for a full fetch; for an incremental one only those with records, an error,
     * or a high watermark or log start the session has not told yet. The session (if any) remembers what it told and
     * moves the partitions that returned records to the end of its serving order.
     */
    public void respond(RequestContext ctx, FetchSession session, boolean incremental) {
        FetchResponse response = new FetchResponse();
        response.sessionId = session == null ? 0 : session.id();
        response.partitions = new ArrayList<>(results.size());
        CompositeByteBuf payload = null;
        List<FetchSession.Entry> served = new ArrayList<>();
        try {
            for (int i = 0; i < results.size(); i++) {
                FetchedPartition r = results.get(i);
                FetchSession.Entry e = entries.get(i);
                ByteBuf batches = records.get(i);
                records.set(i, Unpooled.EMPTY_BUFFER);
                boolean changed = e.changedSinceSent(r.highWatermark, r.logStartOffset);
                if (!incremental || r.errorCode != 0 || batches.isReadable() || changed) {
                    response.partitions.add(r);
                    e.sent(r.highWatermark, r.logStartOffset);
                }
                if (batches.isReadable()) {
                    served.add(e);
                    if (payload == null) {
                        payload = ctx.alloc().compositeDirectBuffer(Math.max(2, results.size()));
                    }
                    payload.addComponent(true, batches);
                } else {
                    batches.release();
                }
            }
        } catch (RuntimeException | Error t) {
            if (payload != null) {
                payload.release();
            }
            release();
            throw t;
        }
        if (session != null && !served.isEmpty()) {
            session.servedLast(served);
        }
        ctx.respond(response, payload == null ? Unpooled.EMPTY_BUFFER : payload);
    }

    /** Releases every buffer read; the answer is not sent. */
    public void release() {
        for (int i = 0; i < records.size(); i++) {
            ByteBuf b = records.get(i);
            records.set(i, Unpooled.EMPTY_BUFFER);
            if (b.refCnt() > 0 && b != Unpooled.EMPTY_BUFFER) {
                b.release();
            }
        }
        bytes = 0;
    }
}
