package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;

/**
 * Checks the batches a follower fetched before any is appended: each is whole and sound (see
 * {@link RecordBatch#validate(int)}), fits one excerpt, and continues the previous one, the first starting at the
 * log end offset. Stateless; thread-safe.
 */
final class FollowerBatches {
    private FollowerBatches() {
    }

    /** Returns the number of batches in [readerIndex, writerIndex) of {@code buf}. */
    static int validate(ByteBuf buf, long logEndOffset, long maxBatchBytes) {
        RecordBatch view = new RecordBatch();
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        long expected = logEndOffset;
        int count = 0;
        while (at < end) {
            view.wrap(buf, at);
            view.validate(end - at);
            int size = view.sizeInBytes();
            if (size > maxBatchBytes) {
                throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "batch at offset " + view.baseOffset() + " has "
                        + size + " bytes; a segment holds batches of at most " + maxBatchBytes);
            }
            if (view.baseOffset() != expected) {
                if (count == 0) {
                    throw new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "the batches start at offset "
                            + view.baseOffset() + " but the log ends at " + logEndOffset);
                }
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "batch at offset " + view.baseOffset()
                        + " does not follow the previous batch, which ends before " + expected);
            }
            expected = view.nextOffset();
            at += size;
            count++;
        }
        return count;
    }
}
