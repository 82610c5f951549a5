package io.sluice.benchmarks.peer.kafka;

import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.MessagingRun;

/**
 * The Kafka side of the messaging workloads, in a JVM of its own on the Kafka classpath:
 * {@code --bootstrap 127.0.0.1:PORT --workloads produce-100,produce-1k,consume-100,e2e ...} (see MessagingRun).
 * Exits 1 when a workload failed.
 */
public final class KafkaMessagingLoad {
    private KafkaMessagingLoad() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        int failures;
        try (KafkaMessaging kafka = new KafkaMessaging(args.get("bootstrap"))) {
            failures = MessagingRun.run(kafka, args, System.out);
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
