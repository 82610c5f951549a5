package io.sluice.remoting;

/**
 * The hash of a partition's name, for keys made of a topic and a partition number. A record's own hash of the two
 * ({@code 31 * topic.hashCode() + partition}) collides heavily when topic names differ in their last characters, as
 * numbered topics do: the 10,000 partitions of {@code wide-10000-0} to {@code -9} have 1,279 distinct hashes, so
 * hash maps of a consumer or a fetch session fill bins of eight keys that must be searched one by one. Multiplying
 * the topic's hash by the golden-ratio constant spreads neighbouring names apart (10,000 distinct there).
 */
public final class PartitionHash {
    private PartitionHash() {
    }

    public static int of(String topic, int partition) {
        return topic.hashCode() * 0x9E3779B9 + partition;
    }
}
