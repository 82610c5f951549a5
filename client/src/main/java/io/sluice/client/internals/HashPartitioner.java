package io.sluice.client.internals;

import io.sluice.client.Partitioner;

/**
 * The default partitioner: murmur2 of the key bytes modulo the partition count for keyed records, and
 * {@link Partitioner#ANY} (sticky choice by the producer) for keyless ones. Stateless and thread-safe.
 */
public final class HashPartitioner implements Partitioner {
    public static final HashPartitioner INSTANCE = new HashPartitioner();

    private HashPartitioner() {
    }

    @Override
    public int partition(String topic, byte[] keyBytes, int partitionCount) {
        if (keyBytes == null) {
            return ANY;
        }
        return (murmur2(keyBytes) & 0x7fffffff) % partitionCount;
    }

    /** The 32-bit murmur2 hash of {@code data} with the seed Kafka uses, so keys map as they do in Kafka. */
    public static int murmur2(byte[] data) {
        final int length = data.length;
        final int m = 0x5bd1e995;
        final int r = 24;
        int h = 0x9747b28c ^ length;
        final int blocks = length >>> 2;
        for (int i = 0; i < blocks; i++) {
            final int i4 = i << 2;
            int k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16)
                    | ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        final int tail = blocks << 2;
        switch (length & 3) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
