package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The broker's view of the space left in its data directory, and its refusal of produce requests when there is
 * too little: before the disk is full (free space under a floor) and while it is (an append found no room). The
 * floor keeps room for what must still be written when producers are refused: follower appends, new segments,
 * metadata checkpoints, the internal offsets topic.
 *
 * <p>States ({@link State}): {@code OK}; {@code LOW_SPACE} while the free bytes last measured are under the floor:
 * produce requests are refused with STORAGE_FULL, the message naming the floor, the free bytes and the directory;
 * {@code FULL} from a leader append the log refused with STORAGE_FULL (the disk filled up, e.g. with no floor or
 * through other writers) until a measurement finds a MiB more free than when it filled up (not merely an append
 * that succeeds: appends into space reserved earlier do while the disk is full, and the state would flap). In
 * {@code FULL} produces still reach the log, which refuses each one that finds no room (cheaply, before writing
 * anything) and takes it as soon as there is. The free space is measured at most every 100 ms by a produce
 * ({@link #checkProduce()}) and by the broker's periodic {@link #refresh()}; a state change is reported to the
 * listener (the broker updates its registration, so {@code sluice cluster} shows it).
 *
 * <p>Thread-safe; {@link #checkProduce()} costs a clock read and a volatile read while nothing changes.
 */
public final class StorageGuard {
    private static final Logger log = LoggerFactory.getLogger(StorageGuard.class);
    private static final long MEASURE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long FULL_CLEARED_BY_BYTES = 1 << 20;

    /** What the data directory's space allows. */
    public enum State { OK, LOW_SPACE, FULL }

    private final Path dataDir;
    private final long minFreeBytes;
    private final String floorName;
    private final LongSupplier freeBytesProbe;
    private final LongSupplier nanoClock;
    private final AtomicLong nextMeasureNs = new AtomicLong(Long.MIN_VALUE);
    private final LongAdder refusedLowSpace = new LongAdder();
    private final LongAdder refusedFull = new LongAdder();
    private volatile Consumer<StorageGuard> listener = g -> { };
    private volatile long freeBytes = Long.MAX_VALUE;
    private volatile long freeWhenFull = -1;
    private volatile State state = State.OK;

    /**
     * @param dataDir      the directory whose file system is watched
     * @param minFreeBytes the floor: produces are refused while fewer bytes are free (0 refuses only when full)
     * @param floorName    the setting that holds the floor, named in refusals
     */
    public StorageGuard(Path dataDir, long minFreeBytes, String floorName) {
        this(dataDir, minFreeBytes, floorName, fileStoreProbe(dataDir), System::nanoTime);
    }

    StorageGuard(Path dataDir, long minFreeBytes, String floorName, LongSupplier freeBytesProbe,
                 LongSupplier nanoClock) {
        this.dataDir = dataDir;
        this.minFreeBytes = minFreeBytes;
        this.floorName = floorName;
        this.freeBytesProbe = freeBytesProbe;
        this.nanoClock = nanoClock;
    }

    private static LongSupplier fileStoreProbe(Path dir) {
        FileStore store;
        try {
            store = Files.getFileStore(dir);
        } catch (IOException e) {
            throw FileSpace.error("cannot find the file system of " + dir, e);
        }
        return () -> {
            try {
                return store.getUsableSpace();
            } catch (IOException e) {
                log.warn("Cannot measure the free space of {}: {}", dir, e.toString());
                return -1;
            }
        };
    }

    /** Called (on the measuring thread) after every state change. */
    public StorageGuard listener(Consumer<StorageGuard> value) {
        this.listener = value;
        return this;
    }

    /**
     * Throws STORAGE_FULL if free space is under the floor (measuring it first if the last measurement is older
     * than 100 ms).
     */
    public void checkProduce() {
        long now = nanoClock.getAsLong();
        long due = nextMeasureNs.get();
        if (now - due >= 0 && nextMeasureNs.compareAndSet(due, now + MEASURE_INTERVAL_NS)) {
            measure();
        }
        if (state == State.LOW_SPACE) {
            refusedLowSpace.increment();
            throw new SluiceException(ErrorCode.STORAGE_FULL, describe());
        }
    }

    /** A leader append was refused by the log for lack of space. */
    public void onFull() {
        refusedFull.increment();
        if (freeWhenFull < 0) {
            measure();
            freeWhenFull = Math.max(0, freeBytes);
            moveTo(state == State.LOW_SPACE ? State.LOW_SPACE : State.FULL);
        }
    }

    /** Measures the free space now and updates the state. */
    public void refresh() {
        nextMeasureNs.set(nanoClock.getAsLong() + MEASURE_INTERVAL_NS);
        measure();
    }

    private synchronized void measure() {
        long free = freeBytesProbe.getAsLong();
        if (free < 0) {
            return;
        }
        freeBytes = free;
        long whenFull = freeWhenFull;
        if (whenFull >= 0 && free >= whenFull + FULL_CLEARED_BY_BYTES) {
            freeWhenFull = -1;
            whenFull = -1;
        }
        if (free < minFreeBytes) {
            moveTo(State.LOW_SPACE);
        } else {
            moveTo(whenFull >= 0 ? State.FULL : State.OK);
        }
    }

    private synchronized void moveTo(State next) {
        State previous = state;
        if (previous == next) {
            return;
        }
        state = next;
        if (next == State.OK) {
            log.info("Storage of {} is OK again: {} bytes free, floor {}={}; produces are accepted", dataDir,
                    freeBytes, floorName, minFreeBytes);
        } else {
            log.warn("Storage {}: {}", next, describe());
        }
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            log.warn("Storage state listener failed: {}", e.toString());
        }
    }

    /** Why produces are refused (or that they are not), naming the directory, the free bytes and the floor. */
    public String describe() {
        return switch (state) {
            case OK -> "produces accepted: " + freeBytes + " bytes free in " + dataDir + ", floor " + floorName + "="
                    + minFreeBytes;
            case LOW_SPACE -> "produces refused: " + freeBytes + " bytes free in " + dataDir + ", under the floor "
                    + floorName + "=" + minFreeBytes + " (they resume once that much is free)";
            case FULL -> "the disk of " + dataDir + " is full: appends that find no room are refused (" + freeBytes
                    + " bytes free, floor " + floorName + "=" + minFreeBytes + ")";
        };
    }

    public State state() {
        return state;
    }

    /** Free bytes as last measured ({@link Long#MAX_VALUE} before the first measurement). */
    public long freeBytes() {
        return freeBytes;
    }

    public long minFreeBytes() {
        return minFreeBytes;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Produce requests refused because free space was under the floor. */
    public long refusedLowSpace() {
        return refusedLowSpace.sum();
    }

    /** Leader appends the log refused because the disk was full. */
    public long refusedFull() {
        return refusedFull.sum();
    }
}
