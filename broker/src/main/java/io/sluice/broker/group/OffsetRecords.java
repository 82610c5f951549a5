package io.sluice.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The records of the offsets topic. Stateless, thread-safe.
 *
 * <p>Format (big-endian): key = {@code short version (1) | short groupLength | group UTF-8 | short topicLength |
 * topic UTF-8 | int partition}; value = {@code short version (1) | long offset | long commitTimeMs}, or null (a
 * tombstone: the committed offset was deleted). Later records for the same key replace earlier ones.
 */
final class OffsetRecords {
    static final short VERSION = 1;

    private OffsetRecords() {
    }

    /** A decoded key. */
    record Key(String group, TopicPart partition) {
    }

    static byte[] key(String group, TopicPart tp) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(VERSION).putShort((short) g.length).put(g).putShort((short) t.length).put(t).putInt(tp.partition());
        return b.array();
    }

    static byte[] value(long offset, long commitTimeMs) {
        return ByteBuffer.allocate(2 + 8 + 8).putShort(VERSION).putLong(offset).putLong(commitTimeMs).array();
    }

    /** The key, or null if it is not a version this broker reads. */
    static Key parseKey(byte[] key) {
        if (key == null || key.length < 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(key);
        if (b.getShort() != VERSION) {
            return null;
        }
        String group = string(b);
        String topic = string(b);
        return new Key(group, new TopicPart(topic, b.getInt()));
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getShort()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {offset, commitTimeMs}, or null for a tombstone or an unknown version. */
    static long[] parseValue(byte[] value) {
        if (value == null || value.length < 18) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        if (b.getShort() != VERSION) {
            return null;
        }
        return new long[] {b.getLong(), b.getLong()};
    }
}
