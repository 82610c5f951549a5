package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The result of {@link PartitionLog#read}: whole record batches in offset order, copied into a buffer the caller
 * owns. {@link #close()} releases it (once); a caller that hands {@link #records()} on to something that releases
 * it must not close this as well. Not thread-safe.
 */
public final class FetchData implements AutoCloseable {
    private final ByteBuf records;
    private final long firstOffset;
    private final long nextOffset;
    private final int batchCount;
    private boolean closed;

    FetchData(ByteBuf records, long firstOffset, long nextOffset, int batchCount) {
        this.records = records;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.batchCount = batchCount;
    }

    static FetchData empty(long offset) {
        return new FetchData(Unpooled.EMPTY_BUFFER, offset, offset, 0);
    }

    /** The batches, readable from the reader index; empty when nothing was available. */
    public ByteBuf records() {
        return records;
    }

    /** Base offset of the first batch returned (at or below the offset asked for), or the offset asked for if none. */
    public long firstOffset() {
        return firstOffset;
    }

    /** The offset after the last record returned: where the next read continues. Equals the offset asked for if none. */
    public long nextOffset() {
        return nextOffset;
    }

    public int batchCount() {
        return batchCount;
    }

    public boolean isEmpty() {
        return batchCount == 0;
    }

    public int sizeInBytes() {
        return records.readableBytes();
    }

    /** Releases the records buffer; later calls do nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (records.refCnt() > 0) {
                records.release();
            }
        }
    }

    @Override
    public String toString() {
        return "FetchData{firstOffset=" + firstOffset + ", nextOffset=" + nextOffset + ", batches=" + batchCount
                + ", bytes=" + (closed ? -1 : records.readableBytes()) + "}";
    }
}
