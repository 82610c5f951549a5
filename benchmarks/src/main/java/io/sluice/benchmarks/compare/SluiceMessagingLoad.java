package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.MessagingRun;

/**
 * The Sluice side of the messaging workloads, in a JVM of its own:
 * {@code --bootstrap NAMESERVER --workloads produce-100,produce-1k,consume-100,e2e ...} (see MessagingRun).
 * Exits 1 when a workload failed.
 */
public final class SluiceMessagingLoad {
    private SluiceMessagingLoad() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        int failures;
        try (SluiceMessaging sluice = new SluiceMessaging(args.get("bootstrap"))) {
            failures = MessagingRun.run(sluice, args, System.out);
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
