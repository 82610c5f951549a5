package io.sluice.broker.log;

import io.sluice.remoting.SluiceException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The sparse index of one segment: every so many bytes of batches, the base offset of a batch, the Chronicle index
 * of the excerpt holding it, the bytes of the segment before it and the largest record timestamp before it. A
 * lookup binary-searches the entries and a reader moves a tailer to the Chronicle index, then scans a few excerpts.
 * Both the offset and the "max timestamp before" columns never decrease, so one file serves offset and timestamp
 * lookups. The file is memory-mapped with a fixed capacity (sparse on disk), so its size does not weigh on the
 * heap; it is rebuilt from the segment's excerpts when recovery does not trust it.
 *
 * <pre>
 * file segment.index, big-endian
 * offset size field
 *  0     4    magic 0x53494458 ("SIDX")
 *  4     4    version 1
 *  8     4    entryCount   entries in use (written after the entry itself)
 * 12     4    capacity     entries the file holds
 * 16     8    createdMs    when the segment got its first batch (drives segment.ms rolling)
 * 24     8    reserved
 * 32     ..   entries of 32 bytes: baseOffset(8) chronicleIndex(8) position(8) maxTimestampBefore(8)
 * </pre>
 * The first batch of a segment is always indexed. The header is written through a file channel, and the entries'
 * pages are allocated ({@link FileSpace}) in chunks ahead of the next entry ({@link #reserveNext()}), so a store
 * into the map never needs disk space it cannot get: a full disk is STORAGE_FULL before the entry's batch is
 * stored, never a fault. Thread-safety: one writer (the log's append lock) and any number of concurrent readers;
 * {@link #entries()} is published after an entry is written. Callers keep the index open while they read it (the
 * segment's reference count does that).
 */
final class OffsetIndex implements AutoCloseable {
    static final String FILE_NAME = "segment.index";
    private static final int MAGIC = 0x53494458;
    private static final int VERSION = 1;
    private static final int HEADER_SIZE = 32;
    private static final int ENTRY_SIZE = 32;
    private static final int COUNT_AT = 8;
    private static final int CAPACITY_AT = 12;
    private static final int CREATED_AT = 16;
    static final int MIN_CAPACITY = 64;
    static final int MAX_CAPACITY = 4 << 20;
    /** Entry pages are allocated this much at a time (2,048 entries). */
    private static final long RESERVE_CHUNK_BYTES = 64 << 10;

    private final Path file;
    private final MappedByteBuffer map;
    private final int capacity;
    private volatile int entries;
    /** The header's creation time, kept on the heap too: appends check it, and its page is cold. */
    private volatile long createdMs;
    /** Bytes [0, reservedTo) of the file are allocated on disk. */
    private long reservedTo;
    private boolean closed;

    private OffsetIndex(Path file, MappedByteBuffer map, int capacity, int entries) {
        this.file = file;
        this.map = map;
        this.capacity = capacity;
        this.entries = entries;
        this.createdMs = map.getLong(CREATED_AT);
        this.reservedTo = at(entries);   // the header and the entries in use were written, so they have blocks
    }

    /** Entries needed for a segment of {@code segmentBytes} indexed every {@code intervalBytes}. */
    static int capacityFor(long segmentBytes, int intervalBytes) {
        long perEntry = Math.max(intervalBytes, 64);
        long wanted = segmentBytes / perEntry + 2;
        return (int) Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, wanted));
    }

    /**
     * Creates an empty index (replacing any file there): the header is written through a channel and the first
     * entries' pages are allocated.
     *
     * @throws SluiceException STORAGE_FULL if the disk has no room, STORAGE_ERROR if the file cannot be written
     */
    static OffsetIndex create(Path file, int capacity, long createdMs) {
        long size = HEADER_SIZE + (long) capacity * ENTRY_SIZE;
        try {
            Files.deleteIfExists(file);
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            header.putInt(0, MAGIC).putInt(4, VERSION).putInt(COUNT_AT, 0).putInt(CAPACITY_AT, capacity)
                    .putLong(CREATED_AT, createdMs);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (header.hasRemaining()) {
                    ch.write(header, header.position());
                }
            }
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
            }
            OffsetIndex index = new OffsetIndex(file, map(file, size), capacity, 0);
            try {
                index.reserveNext();
            } catch (RuntimeException e) {
                index.close();
                throw e;
            }
            return index;
        } catch (IOException e) {
            throw FileSpace.error("cannot create offset index " + file, e);
        }
    }

    /**
     * Opens an existing index, or returns null if it is missing or unreadable (the caller rebuilds it). Entries
     * past the first one out of order are dropped.
     */
    static OffsetIndex openExisting(Path file) {
        try {
            if (!Files.exists(file) || Files.size(file) < HEADER_SIZE) {
                return null;
            }
            long size = Files.size(file);
            MappedByteBuffer map = map(file, size);
            int capacity = (int) Math.min((size - HEADER_SIZE) / ENTRY_SIZE, map.getInt(CAPACITY_AT));
            if (map.getInt(0) != MAGIC || map.getInt(4) != VERSION || capacity < 1) {
                MappedBuffers.unmap(map);
                return null;
            }
            int count = Math.max(0, Math.min(map.getInt(COUNT_AT), capacity));
            OffsetIndex index = new OffsetIndex(file, map, capacity, count);
            index.dropUnordered();
            return index;
        } catch (IOException e) {
            return null;
        }
    }

    private static MappedByteBuffer map(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            ReadAround.disable(map);
            return map;
        }
    }

    private void dropUnordered() {
        int n = entries;
        for (int i = 1; i < n; i++) {
            if (offset(i) <= offset(i - 1) || chronicleIndex(i) <= chronicleIndex(i - 1) || position(i) < position(i - 1)
                    || maxTimestampBefore(i) < maxTimestampBefore(i - 1)) {
                truncateToEntries(i);
                return;
            }
        }
    }

    int entries() {
        return entries;
    }

    int capacity() {
        return capacity;
    }

    boolean isFull() {
        return entries >= capacity;
    }

    long createdMs() {
        return createdMs;
    }

    void createdMs(long ms) {
        map.putLong(CREATED_AT, ms);
        createdMs = ms;
    }

    long offset(int slot) {
        return map.getLong(at(slot));
    }

    long chronicleIndex(int slot) {
        return map.getLong(at(slot) + 8);
    }

    long position(int slot) {
        return map.getLong(at(slot) + 16);
    }

    long maxTimestampBefore(int slot) {
        return map.getLong(at(slot) + 24);
    }

    private static int at(int slot) {
        return HEADER_SIZE + slot * ENTRY_SIZE;
    }

    /** The last slot whose offset is at or below {@code offset}, or -1 if none. */
    int floorSlot(long offset) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offset(mid) <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * The last slot before which every record is older than {@code timestamp}: a scan for the first record at or
     * after it may start there. -1 if none (scan from the start).
     */
    int slotBeforeTimestamp(long timestamp) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (maxTimestampBefore(mid) < timestamp) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * Makes sure the page of the next entry is allocated (a chunk of pages at a time), so that {@link #append}
     * takes no disk space. Does nothing if the index is full.
     *
     * @throws SluiceException STORAGE_FULL if the disk has no room
     */
    void reserveNext() {
        int n = entries;
        if (n >= capacity) {
            return;
        }
        long end = at(n) + ENTRY_SIZE;
        if (end <= reservedTo) {
            return;
        }
        long target = Math.min(HEADER_SIZE + (long) capacity * ENTRY_SIZE,
                Math.max(end, (reservedTo / RESERVE_CHUNK_BYTES + 1) * RESERVE_CHUNK_BYTES));
        FileSpace.allocate(file, reservedTo, target, at(n));
        reservedTo = target;
    }

    /**
     * Adds an entry; false if the index is full. Offsets must increase.
     *
     * @throws SluiceException STORAGE_FULL if the entry's page could not be allocated (see {@link #reserveNext()})
     */
    boolean append(long offset, long chronicleIndex, long position, long maxTimestampBefore) {
        int n = entries;
        if (n >= capacity) {
            return false;
        }
        reserveNext();
        int at = at(n);
        map.putLong(at, offset);
        map.putLong(at + 8, chronicleIndex);
        map.putLong(at + 16, position);
        map.putLong(at + 24, maxTimestampBefore);
        map.putInt(COUNT_AT, n + 1);
        entries = n + 1;
        return true;
    }

    /** Drops the entries of batches at or after {@code endOffset}. */
    void truncateToOffset(long endOffset) {
        int slot = floorSlot(endOffset - 1);
        truncateToEntries(slot + 1);
    }

    void truncateToEntries(int count) {
        if (count < entries) {
            entries = count;
            map.putInt(COUNT_AT, count);
        }
    }

    /** Writes the mapped pages to disk. */
    void flush() {
        map.force();
    }

    Path file() {
        return file;
    }

    /** Unmaps the file; the index must no longer be read. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            MappedBuffers.unmap(map);
        }
    }
}
