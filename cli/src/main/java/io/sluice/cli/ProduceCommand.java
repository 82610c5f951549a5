package io.sluice.cli;

import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.remoting.SluiceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** {@code sluice produce}: one record per line of standard input. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send one record per line of standard input.")
final class ProduceCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    NameserverOption ns;
    @Option(names = "--topic", required = true, description = "Topic to write to.")
    String topic;
    @Option(names = "--partition", description = "Write every record to this partition (default: by key, or spread).")
    Integer partition;
    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "Split each line at the first SEP into key and value (default: no key).")
    String keySeparator;
    @Option(names = "--acks", defaultValue = "1", description = "0, 1 or all (default: ${DEFAULT-VALUE}).")
    String acks;
    @Option(names = "--linger-ms", defaultValue = "5", description = "Batching delay (default: ${DEFAULT-VALUE}).")
    long lingerMs;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ProducerConfig config = new ProducerConfig().nameservers(ns.nameservers).acks(acks).lingerMs(lingerMs);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        long sent = 0;
        try (Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && firstError.get() == null) {
                String key = null;
                String value = line;
                if (keySeparator != null && !keySeparator.isEmpty()) {
                    int at = line.indexOf(keySeparator);
                    if (at >= 0) {
                        key = line.substring(0, at);
                        value = line.substring(at + keySeparator.length());
                    }
                }
                producer.send(new ProducerRecord<>(topic, partition, key, value)).whenComplete((md, err) -> {
                    if (err == null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, err);
                    }
                });
                sent++;
            }
            producer.flush();
        }
        Throwable err = firstError.get();
        if (err != null) {
            SluiceException se = SluiceException.from(err);
            spec.commandLine().getErr().println("error: " + se.code().name() + ": " + se.getMessage());
        }
        spec.commandLine().getErr().println("Produced " + acked.get() + " of " + sent + " records to " + topic
                + (failed.get() > 0 ? " (" + failed.get() + " failed)" : "") + ".");
        return err == null ? 0 : 1;
    }
}
