package io.sluice.it;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An acks=all producer in a JVM of its own, for tests that freeze it or its broker: sends the numbers 1, 2, 3, ...
 * as record values to partition 0 of {@code topic}, one every few milliseconds with the producer's default settings,
 * until {@code stopFile} exists. Prints {@code PRODUCER READY} after the first acknowledgement and {@code ACKED n}
 * each 100 acknowledgements. At the end it flushes and writes {@code resultFile} (atomically): a summary line
 * {@code sent=.. acked=.. failed=.. retries=.. liveness-closes=..} (the last from the producer's transport metric
 * {@code sluice.transport.connections.closed}, every reason), then each acknowledged number, one a line, then
 * {@code F number error} for each failed one.
 *
 * <p>Args: nameservers topic stopFile resultFile
 */
public final class NumberedProducerMain {
    private NumberedProducerMain() {
    }

    public static void main(String[] args) throws Exception {
        String topic = args[1];
        Path stopFile = Path.of(args[2]);
        Path resultFile = Path.of(args[3]);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProducerConfig config = new ProducerConfig().nameservers(args[0]).acks("all").meterRegistry(registry);
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        AtomicLong ackCount = new AtomicLong();
        long sent = 0;
        StringBuilder result = new StringBuilder();
        try (Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string())) {
            while (!Files.exists(stopFile)) {
                long number = ++sent;
                producer.send(new ProducerRecord<>(topic, 0, null, Long.toString(number))).whenComplete((md, e) -> {
                    if (e != null) {
                        failed.add("F " + number + " " + e);
                        return;
                    }
                    acked.add(number);
                    long n = ackCount.incrementAndGet();
                    if (n == 1) {
                        System.out.println("PRODUCER READY");
                    } else if (n % 100 == 0) {
                        System.out.println("ACKED " + n);
                    }
                });
                TimeUnit.MILLISECONDS.sleep(3);
            }
            producer.flush();
            result.append("sent=").append(sent).append(" acked=").append(acked.size()).append(" failed=")
                    .append(failed.size()).append(" retries=").append((long) sum(registry, "sluice.producer.retries"))
                    .append(" liveness-closes=")
                    .append((long) sum(registry, "sluice.transport.connections.closed")).append('\n');
        }
        for (long number : new TreeSet<>(acked)) {
            result.append(number).append('\n');
        }
        for (String f : failed) {
            result.append(f).append('\n');
        }
        write(resultFile, result.toString());
        System.out.println("PRODUCER DONE");
    }

    private static double sum(SimpleMeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
