package io.sluice.broker.log;

import io.sluice.remoting.SluiceException;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.WireType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a segment's Chronicle queue with its table store on the heap ({@link HeapTableStore}), so that an open
 * segment holds one file descriptor, its cycle file: with Chronicle's own table store it held two, and a broker
 * whose partitions were all busy ran out of descriptors at half the partitions (20,000 files, 10,000 partitions).
 *
 * <p>What Chronicle's table store recorded that a segment still needs is its roll cycle (the cycle files' names and
 * index layout follow it, and the configured one may change between restarts). A segment records it as the name of
 * an empty file in its directory, {@code roll-cycle.<NAME>} (for example {@code roll-cycle.FAST_DAILY}), created
 * with the directory before any cycle file, so a crash that keeps a cycle file keeps the record (both are entries of
 * one directory, which the flush that makes the segment durable syncs). A directory written by an earlier version,
 * with a {@code metadata.cq4t} and no record, is converted the first time it opens: its roll cycle is read through
 * Chronicle's own table store, recorded, and the old store removed.
 *
 * <p>Nor does a segment's queue list its directory again once a minute, as Chronicle does by default to notice
 * cycle files other processes created: only its own appender creates them, and it tells the queue's listing as it
 * does (a new queue lists the directory once, when built). At 10,000 open segments the minute's relisting was
 * 10,000 directory reads and cycle-name parses, landing on fetches.
 *
 * <p>Chronicle's builder has no setting for the table store; this subclass replaces the step that creates it.
 * Stateless apart from the builder's own settings.
 */
final class SegmentQueueBuilder extends SingleChronicleQueueBuilder {
    private static final Logger log = LoggerFactory.getLogger(SegmentQueueBuilder.class);
    static final String ROLL_CYCLE_PREFIX = "roll-cycle.";
    private static final VarHandle META_STORE;

    static {
        try {
            META_STORE = MethodHandles.privateLookupIn(SingleChronicleQueueBuilder.class, MethodHandles.lookup())
                    .findVarHandle(SingleChronicleQueueBuilder.class, "metaStore", TableStore.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("Chronicle's queue builder has no table store field to set "
                    + "(a Chronicle Queue version other than the one Sluice is built with?): " + e);
        }
    }

    private SegmentQueueBuilder() {
    }

    /** The queue of segment directory {@code dir}, whose roll cycle is {@code rollCycle} (see {@link #prepare}). */
    static SingleChronicleQueue build(Path dir, RollCycle rollCycle, long blockSize, int indexSpacing,
                                      TimeProvider time) {
        SingleChronicleQueueBuilder b = new SegmentQueueBuilder().wireType(WireType.BINARY_LIGHT);
        return b.path(dir.toFile())
                .rollCycle(rollCycle)
                .blockSize(blockSize)
                .indexSpacing(indexSpacing)
                .timeProvider(time)
                .forceDirectoryListingRefreshIntervalMs(Long.MAX_VALUE)
                .build();
    }

    @Override
    protected void initializeMetadata() {
        META_STORE.set(this, new HeapTableStore(path()));
    }

    /** Records {@code rollCycle} in a new, empty segment directory. */
    static void recordRollCycle(Path dir, RollCycle rollCycle) {
        try {
            Files.createFile(dir.resolve(ROLL_CYCLE_PREFIX + name(rollCycle)));
        } catch (IOException e) {
            throw FileSpace.error("cannot record the roll cycle of segment " + dir, e);
        }
    }

    /**
     * Readies an existing segment directory to be opened and returns its roll cycle: the one it records, else
     * (written by an earlier version) the one its Chronicle table store holds, which is then recorded in its place,
     * else (created but never written) {@code configured}, recorded. Also removes pre-created cycle files an
     * interrupted append left ({@link SegmentSpace#isLeftover}). One listing of the directory.
     *
     * @throws SluiceException STORAGE_ERROR if the directory cannot be read or the record written
     */
    static RollCycle prepare(Path dir, RollCycle configured) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (SegmentSpace.isLeftover(name)) {
                    Files.deleteIfExists(p);
                } else {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw FileSpace.error("cannot list segment " + dir, e);
        }
        Path legacyStore = dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
        boolean hasLegacyStore = names.contains(SingleChronicleQueue.QUEUE_METADATA_FILE);
        for (String name : names) {
            if (name.startsWith(ROLL_CYCLE_PREFIX)) {
                RollCycle recorded = LogConfig.resolveRollCycle(name.substring(ROLL_CYCLE_PREFIX.length()));
                if (hasLegacyStore) {
                    deleteLegacyStore(legacyStore);   // a conversion that stopped after recording
                }
                return recorded;
            }
        }
        if (!hasLegacyStore) {
            recordRollCycle(dir, configured);
            return configured;
        }
        RollCycle stored;
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(configured).build()) {
            stored = q.rollCycle();
        }
        recordRollCycle(dir, stored);
        AtomicFile.fsyncDirectory(dir);   // the record is durable before the store it replaces goes
        deleteLegacyStore(legacyStore);
        log.info("Segment {}: roll cycle {} recorded in the directory, Chronicle's table store removed", dir,
                name(stored));
        return stored;
    }

    private static String name(RollCycle rollCycle) {
        return ((Enum<?>) rollCycle).name();
    }

    private static void deleteLegacyStore(Path store) {
        try {
            Files.deleteIfExists(store);
        } catch (IOException e) {
            throw FileSpace.error("cannot remove " + store, e);
        }
    }
}
