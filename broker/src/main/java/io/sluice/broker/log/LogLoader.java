package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Opens the segments of a partition directory and recovers them, so that the log continues exactly after its
 * last valid batch:
 * <ol>
 *   <li>leftovers of interrupted work go: {@code *.deleted} directories and {@code *.tmp} files;</li>
 *   <li>segments wholly below the checkpointed log start offset go (retention was interrupted);</li>
 *   <li>batches at or after the recovery point (data not known to be on disk) are walked again with their
 *       checksums checked, in sealed segments too (a seal written before its data reached the disk is lowered);
 *       sealed segments below it take their extent from their seal; an unsealed segment that is not the last
 *       (a roll was interrupted) is walked and sealed;</li>
 *   <li>segments must be contiguous: after a gap (a corrupt tail in the middle) everything later goes; an overlap
 *       (a truncation was interrupted) re-seals the earlier segment where the later one starts;</li>
 *   <li>the last segment: after a clean shutdown it stays active, with the extent the shutdown recorded (without
 *       one, once the batches after its last index entry check out); otherwise it is walked from the recovery
 *       point and sealed after its last valid batch, and the next append starts a new segment there. Chronicle is
 *       never appended to after a writer died in it, so a dead writer's lock or half-written excerpt cannot stall
 *       the log.</li>
 * </ol>
 * After a clean shutdown nothing is opened; after a crash only the segments holding batches from the recovery point
 * on, and their files are closed again before the log is served (they open on first use, see {@link LogSegment}).
 * A log that has no segment (new, or emptied) gets one on its first append. Stateless; runs before the log is
 * shared.
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    /** What loading found: the log's range and how many segments had to be walked. */
    record Loaded(long logStartOffset, long logEndOffset, int recoveredSegments) {
    }

    /** Loads the segments into {@code segments}. */
    static Loaded load(Path dir, LogConfig config, ClockTimeProvider time, PartitionMetadata meta,
                       LogSegments segments, OpenSegments openSegments, ReentrantLock appendLock) {
        TreeMap<Long, Path> onDisk = listSegments(dir);
        removeBelowLogStart(onDisk, meta.logStartOffset());
        List<LogSegment> loaded = new ArrayList<>();
        int[] recovered = {0};
        long logEnd;
        try {
            openAll(dir, config, time, meta, onDisk, loaded, recovered, openSegments, appendLock);
            long nextBase = Math.max(0, meta.logStartOffset());
            LogSegment last = loaded.isEmpty() ? null : loaded.get(loaded.size() - 1);
            if (last != null && last.isSealed() && last.isEmpty()) {
                // an empty segment left by a crash: start a fresh one in its place
                nextBase = last.baseOffset();
                loaded.remove(loaded.size() - 1).delete();
                last = loaded.isEmpty() ? null : loaded.get(loaded.size() - 1);
            }
            if (last != null && meta.logStartOffset() > last.endOffset()) {
                log.warn("{}: log start {} is past the recovered end {}; starting empty at {}", dir,
                        meta.logStartOffset(), last.endOffset(), meta.logStartOffset());
                for (LogSegment s : loaded) {
                    s.delete();
                }
                loaded.clear();
                last = null;
                nextBase = meta.logStartOffset();
            }
            logEnd = last == null ? nextBase : last.endOffset();
            long now = System.nanoTime();
            for (LogSegment s : loaded) {
                s.closeIfIdle(now, Long.MIN_VALUE, true);   // the log is not shared yet
            }
        } catch (RuntimeException e) {
            for (LogSegment s : loaded) {
                s.close();
            }
            throw e;
        }
        for (LogSegment s : loaded) {
            segments.add(s);
        }
        long first = loaded.isEmpty() ? logEnd : loaded.get(0).baseOffset();
        long start = meta.logStartOffset() >= first && meta.logStartOffset() <= logEnd ? meta.logStartOffset() : first;
        return new Loaded(start, logEnd, recovered[0]);
    }

    /** Opens the segments in order, counting in {@code recovered} those it had to walk. */
    private static void openAll(Path dir, LogConfig config, ClockTimeProvider time, PartitionMetadata meta,
                                   TreeMap<Long, Path> onDisk, List<LogSegment> loaded, int[] recovered,
                                   OpenSegments openSegments, ReentrantLock appendLock) {
        List<Long> bases = new ArrayList<>(onDisk.keySet());
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            Path segDir = onDisk.get(base);
            LogSegment prev = loaded.isEmpty() ? null : loaded.get(loaded.size() - 1);
            if (prev != null && prev.endOffset() < base) {
                log.warn("{}: segment {} ends at {} but the next starts at {}; dropping the {} later segment(s)",
                        dir, prev.baseOffset(), prev.endOffset(), base, bases.size() - i);
                for (int j = i; j < bases.size(); j++) {
                    LogFiles.deleteRecursively(onDisk.get(bases.get(j)));
                }
                return;
            }
            if (prev != null && prev.endOffset() > base) {
                log.warn("{}: segment {} runs past {} where the next starts; re-sealing it there", dir,
                        prev.baseOffset(), base);
                prev.seal(base);
            }
            boolean isLast = i == bases.size() - 1;
            SegmentSeal seal = readSeal(segDir);
            boolean clean = meta.cleanShutdown();
            LogSegment segment = LogSegment.open(segDir, base, config, time, seal,
                    clean ? Long.MAX_VALUE : meta.recoveryPoint(), isLast && clean ? meta.active() : null, openSegments, appendLock);
            if (segment.filesOpen()) {
                recovered[0]++;
            }
            SegmentRecovery.Result r = segment.lastRecovery();
            if (seal == null && r != null && !(isLast && clean && r.clean())) {
                log.info("{}: recovered segment {} up to offset {} ({} batches scanned{})", dir, base,
                        r.endOffset(), r.batches(), r.clean() ? "" : ", dropped an invalid tail");
                if (isLast) {
                    segment.sealAfterCrash();
                } else {
                    segment.seal(Long.MAX_VALUE);
                }
            }
            loaded.add(segment);
        }
    }

    private static SegmentSeal readSeal(Path segDir) {
        try {
            return SegmentSeal.read(segDir);
        } catch (IOException e) {
            log.warn("{}; recovering the segment by scanning it", e.getMessage());
            try {
                Files.deleteIfExists(segDir.resolve(SegmentSeal.FILE_NAME));
            } catch (IOException ignored) {
                // scanning copes with either
            }
            return null;
        }
    }

    /** Segment directories by base offset, after removing leftovers of interrupted deletes and writes. */
    private static TreeMap<Long, Path> listSegments(Path dir) {
        TreeMap<Long, Path> segments = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.endsWith(LogFiles.DELETED_SUFFIX) || name.endsWith(AtomicFile.TMP_SUFFIX)) {
                    LogFiles.deleteRecursively(p);
                } else if (name.endsWith(LogSegment.DIR_SUFFIX) && Files.isDirectory(p)) {
                    String digits = name.substring(0, name.length() - LogSegment.DIR_SUFFIX.length());
                    try {
                        segments.put(Long.parseLong(digits), p);
                    } catch (NumberFormatException e) {
                        log.warn("Ignoring {}: not a segment name", p);
                    }
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot list partition directory " + dir + ": " + e, e);
        }
        return segments;
    }

    /** Deletes segments whose successor starts at or below {@code logStartOffset}. */
    private static void removeBelowLogStart(TreeMap<Long, Path> segments, long logStartOffset) {
        while (segments.size() > 1) {
            Long second = segments.higherKey(segments.firstKey());
            if (second == null || second > logStartOffset) {
                return;
            }
            LogFiles.deleteRecursively(segments.pollFirstEntry().getValue());
        }
    }
}
