package io.sluice.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A workload of the {@code wide} suite, named {@code wide-<kind>-<partitions>}: {@code wide-produce-1000},
 * {@code wide-consume-1000} (reads back what wide-produce-1000 wrote), {@code wide-rf3-produce-3000} (three brokers,
 * replication factor 3, acks=all). The harness builds the names, the load JVMs of every system parse them, so both
 * sides agree on the layout: {@code partitions} up to {@code topicPartitions} is one topic of that many partitions;
 * more is spread over topics of {@code topicPartitions} each (10,000 = ten topics of 1,000), as a cluster with many
 * partitions has many topics. Immutable.
 */
public record WideWorkload(String kind, int partitions) {
    public static final String PRODUCE = "produce";
    public static final String CONSUME = "consume";
    public static final String RF3_PRODUCE = "rf3-produce";
    private static final Pattern NAME = Pattern.compile("wide-(produce|consume|rf3-produce)-(\\d+)");

    public WideWorkload {
        if (!List.of(PRODUCE, CONSUME, RF3_PRODUCE).contains(kind) || partitions < 1) {
            throw new IllegalArgumentException("no wide workload " + kind + " on " + partitions + " partitions");
        }
    }

    /** The workload a name stands for, or null when the name is not of the wide suite. */
    public static WideWorkload parse(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? new WideWorkload(m.group(1), Integer.parseInt(m.group(2))) : null;
    }

    public String name() {
        return "wide-" + kind + "-" + partitions;
    }

    /** Null when {@code partitions} is a valid layout for topics of {@code topicPartitions}, else why not. */
    public static String invalidLayout(int partitions, int topicPartitions) {
        if (partitions < 1) {
            return "a partition count must be at least 1, not " + partitions;
        }
        if (partitions > topicPartitions && partitions % topicPartitions != 0) {
            return partitions + " partitions: above " + topicPartitions + " (one topic) the count must be a multiple"
                    + " of " + topicPartitions + " (topics of " + topicPartitions + " partitions each)";
        }
        return null;
    }

    /** Partitions of each topic of the layout. */
    public int partitionsPerTopic(int topicPartitions) {
        return Math.min(partitions, topicPartitions);
    }

    /** The topics of the layout; the replicated workload writes to topics of its own. */
    public List<String> topics(int topicPartitions) {
        String invalid = invalidLayout(partitions, topicPartitions);
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        int count = partitions / partitionsPerTopic(topicPartitions);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add("wide-" + partitions + (kind.equals(RF3_PRODUCE) ? "-rf3-" : "-") + i);
        }
        return out;
    }
}
