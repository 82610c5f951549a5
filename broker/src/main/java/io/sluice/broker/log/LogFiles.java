package io.sluice.broker.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/** File-system chores of the log package. Stateless; thread-safe. */
final class LogFiles {
    private static final Logger log = LoggerFactory.getLogger(LogFiles.class);

    /** Suffix of directories being deleted; whatever carries it at start-up is removed. */
    static final String DELETED_SUFFIX = ".deleted";

    private LogFiles() {
    }

    /**
     * Renames {@code dir} to {@code <name>.<nanos>.deleted} (atomic, so a crash midway leaves nothing that looks
     * like live data) and returns the new path, or {@code dir} itself if it cannot be renamed.
     */
    static Path renameForDeletion(Path dir) {
        Path target = dir.resolveSibling(dir.getFileName() + "." + System.nanoTime() + DELETED_SUFFIX);
        try {
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            log.warn("Cannot rename {} for deletion ({}); deleting in place", dir, e.toString());
            return dir;
        }
    }

    /** Renames {@code dir} for deletion, then deletes it. */
    static void renameAndDelete(Path dir) {
        if (Files.exists(dir)) {
            deleteRecursively(renameForDeletion(dir));
        }
    }

    /** Deletes {@code path} and everything under it; logs (does not throw) what cannot be deleted. */
    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("Cannot delete {}: {}", path, e.toString());
        }
    }
}
