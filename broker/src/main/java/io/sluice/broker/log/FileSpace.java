package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Allocates the disk blocks of file ranges before anything writes them through a memory map, and turns a full
 * disk into {@link ErrorCode#STORAGE_FULL}.
 *
 * <p>Why: a store into a mapped page that the file system cannot back (the disk is full) is not an error a writer
 * can handle. The kernel raises SIGBUS, and the JVM turns it into an {@code InternalError} ("a fault occurred in a
 * recent unsafe memory access operation") that may surface only after the copy "completed" and the batch was
 * acknowledged, leaving a corrupt batch in the log. Files are sparse (a length set ahead, no blocks behind it), so
 * the first write to each page is where space is really taken. Allocating first, here, makes a full disk an
 * ordinary {@code ENOSPC} before any byte of the write is stored.
 *
 * <p>How: {@code fallocate(2)} with {@code FALLOC_FL_KEEP_SIZE} through the posix binding (JNR) Chronicle Queue
 * itself ships: it allocates blocks without changing the data or the file's length, so it is safe over ranges
 * that are mapped or already written (it does nothing there). Where fallocate is missing (a file system without it,
 * a platform without the native binding) zeros are written through a file channel instead; that overwrites, so
 * only the part of a range at or past the caller's {@code unwrittenFrom} is filled that way and {@link #allocate}
 * says whether the whole range is now backed.
 *
 * <p>Stateless apart from remembering that fallocate is unavailable; thread-safe.
 */
final class FileSpace {
    private static final Logger log = LoggerFactory.getLogger(FileSpace.class);
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int O_RDWR = 2;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
    private static final PosixAPI LOADED = loadPosix();
    private static volatile PosixAPI posix = LOADED;

    private FileSpace() {
    }

    private static PosixAPI loadPosix() {
        try {
            PosixAPI api = PosixAPI.posix();
            if (api.getClass().getSimpleName().startsWith("NoOp")) {
                log.info("No native posix binding ({}): log space is reserved by writing zeros", api);
                return null;
            }
            return api;
        } catch (Throwable e) {
            log.info("No native posix binding ({}): log space is reserved by writing zeros", e.toString());
            return null;
        }
    }

    /** The native posix binding, or null where there is none (or fallocate was found missing). */
    static PosixAPI posix() {
        return posix;
    }

    /** True if blocks are allocated with fallocate, false if by writing zeros. */
    static boolean nativeAllocation() {
        return posix != null;
    }

    /** Allocates with fallocate (where available) or, if false, by writing zeros: tests cover both ways. */
    static void nativeAllocation(boolean enabled) {
        posix = enabled ? LOADED : null;
    }

    /**
     * Allocates the blocks of {@code [from, to)} of {@code file} (which must exist). Without fallocate only
     * {@code [max(from, unwrittenFrom), to)} is filled (with zeros), since what lies before {@code unwrittenFrom}
     * may hold data.
     *
     * @return true if all of {@code [from, to)} is now backed by disk blocks
     * @throws SluiceException STORAGE_FULL if the file system has no room (some blocks of the range may have been
     *                         allocated, nothing was written), STORAGE_ERROR for any other failure
     */
    static boolean allocate(Path file, long from, long to, long unwrittenFrom) {
        if (to <= from) {
            return true;
        }
        PosixAPI api = posix;
        if (api != null && fallocate(api, file, from, to)) {
            return true;
        }
        long start = Math.max(from, unwrittenFrom);
        writeZeros(file, start, to);
        return start == from;
    }

    /**
     * Creates {@code file} (replacing any) of {@code length} bytes, the first {@code allocated} of them allocated;
     * on failure nothing is left.
     */
    static void createAllocated(Path file, long length, long allocated) {
        try {
            Files.deleteIfExists(file);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(length);
            }
            allocate(file, 0, Math.min(length, allocated), 0);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the caller cleans up the directory
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw error("cannot create " + file, (IOException) e);
        }
    }

    /** True if fallocate did it; false if the file system cannot (zeros must be written instead). */
    private static boolean fallocate(PosixAPI api, Path file, long from, long to) {
        int errno;
        try {
            int fd = api.open(file.toString(), O_RDWR, 0);
            if (fd < 0) {
                int openErrno = api.lastError();
                throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot open " + file + " to reserve space: "
                        + api.strerror(openErrno));
            }
            try {
                if (api.fallocate(fd, FALLOC_FL_KEEP_SIZE, from, to - from) == 0) {
                    return true;
                }
                errno = api.lastError();
            } finally {
                api.close(fd);
            }
        } catch (SluiceException e) {
            throw e;
        } catch (Throwable e) {
            log.info("fallocate failed ({}): log space is reserved by writing zeros from now on", e.toString());
            posix = null;
            return false;
        }
        if (errno == ENOSPC || errno == EDQUOT) {
            throw noSpace(file, to - from);
        }
        if (errno == EOPNOTSUPP || errno == ENOSYS) {
            log.info("The file system of {} has no fallocate: log space is reserved by writing zeros", file);
            posix = null;
            return false;
        }
        throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot reserve " + (to - from) + " bytes at " + from
                + " of " + file + ": " + api.strerror(errno));
    }

    private static void writeZeros(Path file, long from, long to) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long at = from;
            while (at < to) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), to - at));
                while (zeros.hasRemaining()) {
                    at += ch.write(zeros, at);
                }
            }
        } catch (IOException e) {
            if (isNoSpace(e)) {
                throw noSpace(file, to - from);
            }
            throw error("cannot reserve " + (to - from) + " bytes at " + from + " of " + file, e);
        }
    }

    /** STORAGE_FULL naming the file, what was needed and what its file system has free. */
    static SluiceException noSpace(Path file, long needed) {
        return new SluiceException(ErrorCode.STORAGE_FULL, "no space left for " + file + ": " + needed
                + " bytes needed, " + usableBytes(file) + " bytes free in " + file.getParent());
    }

    /** STORAGE_FULL if {@code e} says the disk is full, else STORAGE_ERROR; the message is {@code what: e}. */
    static SluiceException error(String what, IOException e) {
        return new SluiceException(isNoSpace(e) ? ErrorCode.STORAGE_FULL : ErrorCode.STORAGE_ERROR, what + ": " + e,
                e);
    }

    static boolean isNoSpace(IOException e) {
        String text = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : String.valueOf(e.getMessage());
        return text.contains("No space left on device") || text.contains("Disk quota exceeded");
    }

    /** Bytes an unprivileged writer may still use on the file system of {@code path}, or -1 if unknown. */
    static long usableBytes(Path path) {
        Path p = path;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            return p == null ? -1 : Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
