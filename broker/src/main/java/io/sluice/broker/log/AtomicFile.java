package io.sluice.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces small files atomically: write {@code <name>.tmp}, fsync it, rename it over the target, fsync the
 * directory. A reader (or a process restarted after a crash) sees the old content or the new, never a mix.
 * Leftover {@code .tmp} files are garbage and may be deleted. Stateless and thread-safe (callers serialize writes
 * to one file).
 */
final class AtomicFile {
    static final String TMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    static void write(Path target, String content) throws IOException {
        write(target, content, true);
    }

    /**
     * As {@link #write(Path, String)}; with {@code durable} false nothing is forced to disk: the replacement is still
     * atomic and survives the process being killed (the kernel keeps what was written), but not a power loss until
     * something forces it. For checkpoints on a request path whose next periodic write makes them durable.
     */
    static void write(Path target, String content, boolean durable) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (durable) {
                ch.force(true);
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (durable) {
            fsyncDirectory(target.getParent());
        }
    }

    /** The file's content, or null if it does not exist. */
    static String read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** Makes a rename or create inside {@code dir} durable; a no-op where directories cannot be opened. */
    static void fsyncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open or sync a directory; the rename itself is still atomic
        }
    }
}
