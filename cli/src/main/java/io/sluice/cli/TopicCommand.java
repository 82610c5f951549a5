package io.sluice.cli;

import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.TopicChange;
import io.sluice.client.TopicDescription;
import io.sluice.remoting.TopicNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code sluice topic create|list|describe|delete}. */
@Command(name = "topic", mixinStandardHelpOptions = true, description = "Create, list, describe and delete topics.",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
                TopicCommand.Delete.class})
final class TopicCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Admin admin(NameserverOption ns) {
        return Admin.create(new AdminConfig().nameservers(ns.nameservers));
    }

    /** What happened, when it took more than one request to know (an answer was lost), on a line of its own. */
    static String note(TopicChange change) {
        return change.note() == null ? "" : System.lineSeparator() + "  (" + change.note() + ")";
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create implements Runnable {
        @Mixin
        NameserverOption ns;
        @Option(names = "--topic", required = true, description = "Topic name.")
        String topic;
        @Option(names = "--partitions", description = "Partitions, at least 1 (default: the nameserver's"
                + " sluice.nameserver.default.partitions).")
        Integer partitions;
        @Option(names = "--replication-factor", description = "Replicas per partition, at least 1 (default: 1).")
        Integer replicationFactor;
        @Option(names = "--min-insync-replicas", description = "min.insync.replicas of the topic.")
        Integer minInsync;
        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Topic config, e.g. retention.ms=3600000 (repeatable).")
        Map<String, String> configs = new LinkedHashMap<>();
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            if (minInsync != null) {
                configs.put("min.insync.replicas", minInsync.toString());
            }
            NewTopic wanted = new NewTopic(topic, partitions == null ? NewTopic.DEFAULT : partitions,
                    replicationFactor == null ? NewTopic.DEFAULT : replicationFactor, configs);
            TopicChange change;
            TopicDescription created;
            try (Admin admin = admin(ns)) {
                change = admin.createTopic(wanted);
                created = admin.describeTopic(topic);   // the counts the nameserver chose where they were left to it
            }
            spec.commandLine().getOut().println("Created topic " + topic + " with " + created.partitions().size()
                    + " partitions and replication factor " + created.replicationFactor() + "." + note(change));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics.")
    static final class ListTopics implements Runnable {
        @Mixin
        NameserverOption ns;
        @Option(names = "--include-internal", description = "Also list internal topics (e.g. __consumer_offsets).")
        boolean includeInternal;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            try (Admin admin = admin(ns)) {
                admin.listTopics().stream().sorted()
                        .filter(t -> includeInternal || !TopicNames.isInternal(t))
                        .map(t -> TopicNames.isInternal(t) ? t + "\t(internal)" : t)
                        .forEach(spec.commandLine().getOut()::println);
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show each partition: leader, leader epoch, replicas, in-sync replicas, log start, log end,"
                    + " high watermark, and each replica's log end as the leader tracks it.")
    static final class Describe implements Runnable {
        @Mixin
        NameserverOption ns;
        @Option(names = "--topic", required = true, description = "Topic name.")
        String topic;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            TopicDescription d;
            try (Admin admin = admin(ns)) {
                d = admin.describeTopic(topic);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Topic: %s  Partitions: %d  ReplicationFactor: %d  Configs: %s%n", d.name(),
                    d.partitions().size(), d.replicationFactor(), d.configs());
            out.printf("%-9s %-6s %-6s %-12s %-12s %-12s %-12s %-14s %s%n", "Partition", "Leader", "Epoch",
                    "Replicas", "Isr", "LogStart", "LogEnd", "HighWatermark", "ReplicaLogEnd");
            for (PartitionDescription p : d.partitions()) {
                out.printf("%-9d %-6s %-6d %-12s %-12s %-12d %-12d %-14d %s%n", p.partition(),
                        p.leader() < 0 ? "none" : Integer.toString(p.leader()), p.leaderEpoch(),
                        join(p.replicas()), join(p.isr()), p.logStartOffset(), p.logEndOffset(), p.highWatermark(),
                        replicaLogs(p));
            }
            out.flush();
        }

        /** {@code broker:logEnd} per replica ({@code ?} when the leader has not heard from it), e.g. 1:42,2:42,3:40. */
        static String replicaLogs(PartitionDescription p) {
            if (p.replicaLogs().isEmpty()) {
                return "-";
            }
            return p.replicaLogs().stream()
                    .map(r -> r.broker() + ":" + (r.logEndOffset() < 0 ? "?" : Long.toString(r.logEndOffset())))
                    .collect(java.util.stream.Collectors.joining(","));
        }

        private static String join(java.util.List<Integer> ids) {
            return ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete implements Runnable {
        @Mixin
        NameserverOption ns;
        @Option(names = "--topic", required = true, description = "Topic name.")
        String topic;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            TopicChange change;
            try (Admin admin = admin(ns)) {
                change = admin.deleteTopic(topic);
            }
            spec.commandLine().getOut().println("Deleted topic " + topic + "." + note(change));
        }
    }
}
