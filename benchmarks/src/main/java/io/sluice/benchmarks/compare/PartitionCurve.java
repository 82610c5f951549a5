package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.WideWorkload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The wide suite's partition count vs throughput curve: per partition count, the median produce and consume
 * msgs/s of Sluice and Kafka, as a Markdown table (with Sluice/Kafka and each system against its own
 * 1,000-partition rate, the "no less than half" goal for 10,000) and as the series {@link CurveChart}
 * draws. Immutable; thread-safe.
 */
final class PartitionCurve {
    static final List<String> SYSTEMS = List.of("sluice", "kafka");
    static final List<String> KINDS = List.of(WideWorkload.PRODUCE, WideWorkload.CONSUME);
    private static final int REFERENCE = 1_000;

    /** One line of the chart: a system's msgs/s for one kind of workload, per partition count (NaN: none). */
    record Series(String system, String kind, double[] msgsPerS) {
        String label() {
            return (system.equals("sluice") ? "Sluice " : "Kafka ") + kind;
        }
    }

    private final List<Integer> points;
    private final int topicPartitions;
    private final List<Series> series;

    private PartitionCurve(List<Integer> points, int topicPartitions, List<Series> series) {
        this.points = points;
        this.topicPartitions = topicPartitions;
        this.series = series;
    }

    static PartitionCurve of(CompareSettings settings, Results results) {
        List<Series> series = new ArrayList<>();
        for (String system : SYSTEMS) {
            if (!system.equals("sluice") && !settings.peers.contains(system)) {
                continue;
            }
            for (String kind : KINDS) {
                double[] values = new double[settings.widePoints.size()];
                for (int i = 0; i < values.length; i++) {
                    OptionalDouble m = results.median(system,
                            new WideWorkload(kind, settings.widePoints.get(i)).name(), "msgs_per_s");
                    values[i] = m.isPresent() ? m.getAsDouble() : Double.NaN;
                }
                series.add(new Series(system, kind, values));
            }
        }
        return new PartitionCurve(settings.widePoints, settings.wideTopicPartitions, List.copyOf(series));
    }

    List<Integer> points() {
        return points;
    }

    List<Series> series() {
        return series;
    }

    /** The curve as a Markdown table, then each system's larger points against its 1,000-partition rate. */
    String markdown() {
        boolean kafka = series.stream().anyMatch(s -> s.system().equals("kafka"));
        StringBuilder t = new StringBuilder("| partitions | produce Sluice msgs/s |");
        StringBuilder sep = new StringBuilder("|---|---:|");
        if (kafka) {
            t.append(" produce Kafka msgs/s | Sluice/Kafka |");
            sep.append("---:|---:|");
        }
        t.append(" consume Sluice msgs/s |");
        sep.append("---:|");
        if (kafka) {
            t.append(" consume Kafka msgs/s | Sluice/Kafka |");
            sep.append("---:|---:|");
        }
        t.append('\n').append(sep).append('\n');
        for (int i = 0; i < points.size(); i++) {
            t.append("| ").append(Row.wideLayout(points.get(i), topicPartitions)).append(" |");
            for (String kind : KINDS) {
                double sluice = value("sluice", kind, i);
                t.append(' ').append(fmt(sluice)).append(" |");
                if (kafka) {
                    double theirs = value("kafka", kind, i);
                    t.append(' ').append(fmt(theirs)).append(" | ").append(ratio(sluice, theirs)).append(" |");
                }
            }
            t.append('\n');
        }
        int reference = points.indexOf(REFERENCE);
        if (reference >= 0) {
            List<String> notes = new ArrayList<>();
            for (int i = reference + 1; i < points.size(); i++) {
                for (Series s : series) {
                    notes.add(String.format(Locale.ROOT, "%s at %,d partitions: %s of its 1,000-partition rate",
                            s.label(), points.get(i), ratio(s.msgsPerS()[i], s.msgsPerS()[reference])));
                }
            }
            if (!notes.isEmpty()) {
                t.append('\n').append(String.join("; ", notes))
                        .append(" (goal for Sluice at 10,000: at least 0.50×).\n");
            }
        }
        return t.toString();
    }

    private double value(String system, String kind, int point) {
        return series.stream().filter(s -> s.system().equals(system) && s.kind().equals(kind)).findFirst()
                .map(s -> s.msgsPerS()[point]).orElse(Double.NaN);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "failed" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
