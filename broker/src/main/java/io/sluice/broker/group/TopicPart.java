package io.sluice.broker.group;

import io.sluice.remoting.PartitionHash;

/** A topic and partition number, as a map key. Immutable. */
record TopicPart(String topic, int partition) implements Comparable<TopicPart> {
    @Override
    public int compareTo(TopicPart o) {
        int c = topic.compareTo(o.topic);
        return c != 0 ? c : Integer.compare(partition, o.partition);
    }

    @Override
    public int hashCode() {
        return PartitionHash.of(topic, partition);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
