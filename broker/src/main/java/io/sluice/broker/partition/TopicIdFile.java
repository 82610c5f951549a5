package io.sluice.broker.partition;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code topic.id} file in a partition directory: the registry's id of the topic incarnation the log belongs
 * to, so a log left by a deleted topic is never served as the log of a new topic of the same name. One line of text,
 * replaced atomically (write a temp file, rename). Stateless.
 */
final class TopicIdFile {
    static final String NAME = "topic.id";

    private TopicIdFile() {
    }

    /** The stored id, or null when the directory has none. */
    static String read(Path partitionDir) {
        Path file = partitionDir.resolve(NAME);
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path partitionDir, String topicId) {
        Path file = partitionDir.resolve(NAME);
        Path tmp = partitionDir.resolve(NAME + ".tmp");
        try {
            Files.writeString(tmp, topicId + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
