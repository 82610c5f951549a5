package io.sluice.client.internals;

import io.sluice.client.ConsumerRecord;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ListOffsetsRequest;

import java.util.ArrayDeque;
import java.util.List;

/**
 * What a consumer knows about one assigned partition: the position (next offset for the application), a pending
 * reset, fetched data waiting to be returned, fetches in flight, and backoff after errors.
 *
 * <p>Fetched data is bounded: one fetch in flight at a time (the next offset is known only from its answer), and
 * completed fetches held up to {@link #GUARANTEED_FETCHES} always, up to {@link #MAX_BUFFERED_FETCHES} while the
 * consumer's buffer budget allows (see {@link Fetcher}). A fetch is released as soon as its last batch is decoded.
 * Every seek or reset bumps {@link #epoch}; answers to requests sent under an older epoch are dropped. Not
 * thread-safe: used by the consumer's thread only (answers reach it through an event queue).
 */
final class PartitionFetchState {
    /** Completed fetches a partition may always hold (the one being returned and the next). */
    static final int GUARANTEED_FETCHES = 2;
    /** Completed fetches a partition may hold while the consumer-wide buffer budget has room. */
    static final int MAX_BUFFERED_FETCHES = 4;

    final TopicPartition tp;
    /** Next offset to return to the application; -1 while unknown. */
    long position = -1;
    /** Where the next fetch starts: the position, or the end of the data already fetched. */
    long nextFetchOffset = -1;
    /** A pending move to {@link ListOffsetsRequest#EARLIEST} or {@link ListOffsetsRequest#LATEST}, or 0 for none. */
    long pendingReset;
    int epoch;
    int fetchesInFlight;
    int liveFetchEpoch = -1;
    boolean resetInFlight;
    boolean assigned = true;
    /** Paused by the application: no fetches are sent and poll returns none of its records. */
    boolean paused;
    final ArrayDeque<CompletedFetch> buffered = new ArrayDeque<>(MAX_BUFFERED_FETCHES);
    /** Decoded records of the current batch not yet returned, from {@link #decodedIndex}. */
    List<? extends ConsumerRecord<?, ?>> decoded;
    int decodedIndex;
    long backoffUntilNs;
    int failures;
    /** OFFSET_OUT_OF_RANGE answers in a row at the current position; the reset policy applies from the second. */
    int outOfRangeStrikes;
    /** An error to raise from the next poll. */
    SluiceException error;
    long highWatermark = -1;
    long logStartOffset = -1;
    long logEndOffset = -1;

    PartitionFetchState(TopicPartition tp) {
        this.tp = tp;
    }

    boolean hasPosition() {
        return position >= 0;
    }

    /** Moves to {@code offset}, dropping everything fetched before. */
    void seek(long offset) {
        epoch++;
        position = offset;
        nextFetchOffset = offset;
        pendingReset = 0;
        error = null;
        backoffUntilNs = 0;
        outOfRangeStrikes = 0;
        clearBuffered();
    }

    /** Forgets the position; it will be looked up with {@code target} (EARLIEST or LATEST). */
    void requestReset(long target) {
        epoch++;
        position = -1;
        nextFetchOffset = -1;
        pendingReset = target;
        error = null;
        clearBuffered();
    }

    boolean hasDecoded() {
        return decoded != null && decodedIndex < decoded.size();
    }

    /** True if fetched records wait to be returned. */
    boolean hasBufferedData() {
        return hasDecoded() || !buffered.isEmpty();
    }

    /**
     * True if a fetch may be sent now (the leader aside): always below {@link #GUARANTEED_FETCHES} held, and below
     * {@link #MAX_BUFFERED_FETCHES} when {@code budgetLeft} (the consumer's buffer budget) allows.
     */
    boolean canFetch(long nowNs, boolean budgetLeft) {
        if (!assigned || paused || !hasPosition() || error != null || nowNs - backoffUntilNs < 0) {
            return false;
        }
        if (fetchesInFlight > 0 && liveFetchEpoch == epoch || fetchesInFlight >= GUARANTEED_FETCHES) {
            return false;
        }
        return buffered.size() < GUARANTEED_FETCHES || budgetLeft && buffered.size() < MAX_BUFFERED_FETCHES;
    }

    /** Payload bytes of the completed fetches held. */
    long bufferedBytes() {
        long bytes = 0;
        for (CompletedFetch f : buffered) {
            bytes += f.sizeInBytes();
        }
        return bytes;
    }

    void backoff(long nowNs, Backoff policy) {
        failures++;
        backoffUntilNs = nowNs + policy.delayNs(failures);
    }

    void clearBuffered() {
        CompletedFetch f;
        while ((f = buffered.pollFirst()) != null) {
            f.close();
        }
        decoded = null;
        decodedIndex = 0;
    }
}
