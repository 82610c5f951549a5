package io.sluice.cli;

import io.sluice.client.Admin;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.GroupDescription;
import io.sluice.client.GroupListing;
import io.sluice.client.GroupMemberInfo;
import io.sluice.client.OffsetAndTimestamp;
import io.sluice.client.PartitionInfo;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code sluice group list|describe|reset-offsets}: consumer groups, their members, offsets and lag. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "List and describe consumer groups; reset their committed offsets.",
        subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.ResetOffsets.class})
final class GroupCommand implements Runnable {
    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static Consumer<byte[], byte[]> plainConsumer(NameserverOption ns) {
        return Consumer.create(new ConsumerConfig().nameservers(ns.nameservers), Serdes.bytes(), Serdes.bytes());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List consumer groups: id, state, members.")
    static final class ListGroups implements Runnable {
        @Mixin
        NameserverOption ns;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = TopicCommand.admin(ns)) {
                for (GroupListing g : admin.listGroups()) {
                    out.println(g.groupId() + "\t" + g.state() + "\t" + g.members() + " members");
                }
            }
            out.flush();
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a group's members and, per partition, committed offset, log end, lag and owner.")
    static final class Describe implements Runnable {
        @Mixin
        NameserverOption ns;
        @Option(names = "--group", required = true, description = "Group id.")
        String group;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = TopicCommand.admin(ns); Consumer<byte[], byte[]> consumer = plainConsumer(ns)) {
                GroupDescription d = admin.describeGroup(group);
                Map<TopicPartition, Long> committed = admin.listGroupOffsets(group);
                out.println("Group " + d.groupId() + ": " + d.state() + ", generation " + d.generation() + ", "
                        + d.members().size() + " members, assignor " + d.assignor() + ", coordinator "
                        + d.coordinator());
                Map<TopicPartition, GroupMemberInfo> owner = new HashMap<>();
                for (GroupMemberInfo m : d.members()) {
                    out.println("  member " + m.memberId() + " client " + m.clientId() + " host " + m.host() + ": "
                            + m.assignment().size() + " partitions");
                    m.assignment().forEach(tp -> owner.put(tp, m));
                }
                TreeSet<TopicPartition> partitions = new TreeSet<>(ORDER);
                partitions.addAll(committed.keySet());
                partitions.addAll(owner.keySet());
                Map<TopicPartition, Long> ends = partitions.isEmpty() ? Map.of() : consumer.endOffsets(partitions);
                out.println(String.join("\t", "TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER"));
                for (TopicPartition tp : partitions) {
                    Long c = committed.get(tp);
                    Long end = ends.get(tp);
                    String lag = c == null || end == null ? "-" : String.valueOf(Math.max(0, end - c));
                    GroupMemberInfo m = owner.get(tp);
                    out.println(String.join("\t", tp.topic(), String.valueOf(tp.partition()),
                            c == null ? "-" : c.toString(), end == null ? "-" : end.toString(), lag,
                            m == null ? "-" : m.memberId()));
                }
            }
            out.flush();
        }
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
            description = "Set where a group resumes on a topic. Refused while the group has active members.")
    static final class ResetOffsets implements Runnable {
        @Mixin
        NameserverOption ns;
        @Option(names = "--group", required = true, description = "Group id.")
        String group;
        @Option(names = "--topic", required = true, description = "Topic whose offsets to reset.")
        String topic;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        static final class Target {
            @Option(names = "--to-earliest", description = "The oldest record still stored.")
            boolean earliest;
            @Option(names = "--to-latest", description = "The log end: skip everything stored now.")
            boolean latest;
            @Option(names = "--to-datetime", paramLabel = "ISO-8601",
                    description = "The first record at or after this time, e.g. 2026-11-23T10:00:00Z.")
            String datetime;
            @Option(names = "--to-offset", description = "This offset on every partition.")
            Long offset;
        }

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = TopicCommand.admin(ns); Consumer<byte[], byte[]> consumer = plainConsumer(ns)) {
                GroupDescription d = admin.describeGroup(group);
                if (!d.members().isEmpty()) {
                    throw new SluiceException(ErrorCode.GROUP_NOT_EMPTY, "group " + group + " has "
                            + d.members().size() + " active members; stop its consumers, then reset its offsets");
                }
                List<TopicPartition> tps = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(topic)) {
                    tps.add(new TopicPartition(topic, p.partition()));
                }
                Map<TopicPartition, Long> offsets = targets(consumer, tps);
                admin.alterGroupOffsets(group, offsets);
                tps.sort(ORDER);
                for (TopicPartition tp : tps) {
                    out.println(tp.topic() + "\t" + tp.partition() + "\t" + offsets.get(tp));
                }
                out.println("Reset the offsets of group " + group + " on " + tps.size() + " partitions of " + topic
                        + ".");
            }
            out.flush();
        }

        private Map<TopicPartition, Long> targets(Consumer<byte[], byte[]> consumer, List<TopicPartition> tps) {
            if (target.earliest) {
                return consumer.beginningOffsets(tps);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            if (target.latest) {
                return ends;
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            if (target.offset != null) {
                if (target.offset < 0) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--to-offset must be >= 0");
                }
                Map<TopicPartition, Long> starts = consumer.beginningOffsets(tps);
                for (TopicPartition tp : tps) {
                    out.put(tp, Math.max(starts.get(tp), Math.min(target.offset, ends.get(tp))));
                }
                return out;
            }
            long ts;
            try {
                ts = Instant.parse(target.datetime).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--to-datetime '"
                        + target.datetime + "' is not an ISO-8601 instant such as 2026-11-23T10:00:00Z");
            }
            Map<TopicPartition, Long> query = new HashMap<>();
            tps.forEach(tp -> query.put(tp, ts));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            for (TopicPartition tp : tps) {
                OffsetAndTimestamp o = found.get(tp);
                out.put(tp, o == null ? ends.get(tp) : o.offset());
            }
            return out;
        }
    }
}
