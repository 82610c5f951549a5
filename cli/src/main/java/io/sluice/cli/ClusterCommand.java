package io.sluice.cli;

import io.sluice.client.Admin;
import io.sluice.client.ClusterDescription;
import io.sluice.client.PartitionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code sluice cluster}: the nameserver's registry connection, live brokers, the active controller and its epoch,
 * under-replicated and offline partitions, as a nameserver sees them. While the registry is unreachable it says so
 * first, and why writes stall, since everything below is then as of the outage.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Show the registry connection, live brokers, the controller and its epoch, under-replicated and"
                + " offline partitions.")
final class ClusterCommand implements Runnable {
    @Mixin
    NameserverOption ns;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        ClusterDescription d;
        try (Admin admin = TopicCommand.admin(ns)) {
            d = admin.describeCluster();
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean registryDown = registry(out, d.registry());
        out.printf("Controller: %s  epoch %d%s%n", d.controller() == null ? "none" : d.controller(),
                d.controllerEpoch(), registryDown ? "  (as last seen; no controller acts without the registry)" : "");
        out.printf("Brokers: %d live%n", d.brokers().size());
        out.printf("  %-6s %-22s %-8s %s%n", "Id", "Address", "Rack", "Storage");
        for (ClusterDescription.Broker b : d.brokers()) {
            out.printf("  %-6d %-22s %-8s %s%n", b.id(), b.host() + ":" + b.port(),
                    b.rack().isEmpty() ? "-" : b.rack(), storage(b));
        }
        partitions(out, "Under-replicated partitions", d.underReplicated(), d.underReplicatedCount());
        partitions(out, "Offline partitions", d.offline(), d.offlineCount());
        out.flush();
    }

    /** Prints the registry line (and, while it is unreachable, what stalls); true if it is unreachable. */
    private static boolean registry(PrintWriter out, ClusterDescription.Registry r) {
        if (r == null) {
            return false;
        }
        String since = r.since().truncatedTo(ChronoUnit.SECONDS) + " (" + r.forMs() / 1000 + " s)";
        if (r.connected()) {
            out.printf("Registry: connected to ZooKeeper at %s since %s%n", r.connectString(), since);
            return false;
        }
        out.printf("Registry: %s since %s: this nameserver cannot reach ZooKeeper at %s%n", r.state(), since,
                r.connectString());
        out.println("  Writes stall until it is back:");
        out.println("  - acks=all: leaders that cannot reach it either cannot confirm their leadership; they freeze"
                + " their high watermarks and answer NOT_LEADER (producers retry), and consumers see nothing new");
        out.println("  - topic create/delete fail at once with REGISTRY_UNAVAILABLE; leader elections and in-sync"
                + " set changes wait for it (a broker that dies now keeps its partitions offline)");
        out.println("  - brokers, controller and partitions below are as last seen before the outage");
        return true;
    }

    /** "ok", or the state and why (e.g. "LOW_SPACE: produces refused: 1048576 bytes free in ..."). */
    private static String storage(ClusterDescription.Broker b) {
        if (b.storage().isEmpty()) {
            return "-";
        }
        if (b.storage().equals("OK")) {
            return "ok";
        }
        return b.storage() + (b.storageDetail().isEmpty() ? "" : ": " + b.storageDetail());
    }

    private static void partitions(PrintWriter out, String title, List<PartitionInfo> partitions, int count) {
        if (partitions.isEmpty()) {
            out.printf("%s: none%n", title);
            return;
        }
        out.printf("%s: %d%s%n", title, count, count > partitions.size()
                ? " (the first " + partitions.size() + " listed)" : "");
        out.printf("  %-24s %-9s %-6s %-12s %s%n", "Topic", "Partition", "Leader", "Replicas", "Isr");
        for (PartitionInfo p : partitions) {
            out.printf("  %-24s %-9d %-6s %-12s %s%n", p.topic(), p.partition(),
                    p.leader() < 0 ? "none" : Integer.toString(p.leader()), join(p.replicas()), join(p.isr()));
        }
    }

    private static String join(List<Integer> ids) {
        return ids.isEmpty() ? "-" : ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
