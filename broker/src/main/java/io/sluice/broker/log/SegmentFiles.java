package io.sluice.broker.log;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;


/**
 * What an open segment holds open: its Chronicle queue (its cycle files, mapped; its table store is on the heap), its
 * memory-mapped {@link OffsetIndex} and the pooled tailers of its {@link SegmentReader}. A segment opens them on first
 * use and drops them when idle (see {@link LogSegment}), so an idle partition costs no file descriptor and no map.
 *
 * <p>Reference-counted: the segment holds one reference while the files are its current ones, the appender one
 * while it is open, and every read one for its duration; the files close when the count reaches zero, so closing
 * for idleness never pulls a map from under a reader. Thread-safe.
 */
final class SegmentFiles {
    final SingleChronicleQueue queue;
    final OffsetIndex index;
    final SegmentReader reader;
    private final RefCount refs = new RefCount();

    SegmentFiles(SingleChronicleQueue queue, OffsetIndex index, SegmentReader reader) {
        this.queue = queue;
        this.index = index;
        this.reader = reader;
    }

    /** Takes a reference; false if the files are already closed (the caller opens them again). */
    boolean retain() {
        return refs.retain();
    }

    void release() {
        if (refs.release()) {
            closeFiles();
        }
    }

    /**
     * Takes all {@code holders} references at once if they are the only ones, so that no read or append can retain
     * the files afterwards (it opens them again). Checking the count and then releasing would let one retain in
     * between and then use closed files. The caller lets go of whatever the holders used, then calls
     * {@link #closeClaimed()}.
     *
     * @return false if anyone else holds a reference
     */
    boolean claimIfOnly(int holders) {
        return refs.claimIfOnly(holders);
    }

    /** Closes the files after a successful {@link #claimIfOnly}. */
    void closeClaimed() {
        closeFiles();
    }

    private void closeFiles() {
        reader.close();
        queue.close();
        index.close();
    }
}
