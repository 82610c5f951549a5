package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.LoadResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Every sample of a comparison (one per system, workload and round, with all its metrics) and every failure, with
 * medians over rounds. Thread-safe (synchronized; written by the one harness thread, read by the reports).
 */
final class Results {
    /** One workload's figures from one round of one system. */
    record Sample(String system, String workload, int round, Map<String, Double> metrics) {
    }

    /** A workload that produced no figure in a round, and why. */
    record Failure(String system, String workload, int round, String error) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();

    /** Parses a load JVM's RESULT lines; expected workloads without a line become failures. */
    synchronized void add(String system, int round, List<String> lines, List<String> expected) {
        List<String> seen = new ArrayList<>();
        for (String line : lines) {
            Map<String, String> fields = parse(line);
            String workload = fields.remove(LoadResult.WORKLOAD);
            if (workload == null) {
                continue;
            }
            seen.add(workload);
            String error = fields.remove(LoadResult.ERROR);
            if (error != null) {
                failures.add(new Failure(system, workload, round, error));
                continue;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            fields.forEach((k, v) -> metrics.put(k, Double.parseDouble(v)));
            samples.add(new Sample(system, workload, round, metrics));
        }
        for (String workload : expected) {
            if (!seen.contains(workload)) {
                failures.add(new Failure(system, workload, round, "no result reported"));
            }
        }
    }

    synchronized void fail(String system, int round, List<String> workloads, String error) {
        for (String workload : workloads) {
            failures.add(new Failure(system, workload, round, error));
        }
    }

    /** {@code RESULT k=v k=v ... [error=free text]} into an ordered map. */
    static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        String body = line.startsWith(LoadResult.PREFIX) ? line.substring(LoadResult.PREFIX.length()) : line;
        int error = body.indexOf(" " + LoadResult.ERROR + "=");
        if (error >= 0) {
            out.put(LoadResult.ERROR, body.substring(error + LoadResult.ERROR.length() + 2));
            body = body.substring(0, error);
        }
        for (String pair : body.trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return out;
    }

    synchronized OptionalDouble median(String system, String workload, String metric) {
        double[] values = samples.stream()
                .filter(s -> s.system().equals(system) && s.workload().equals(workload))
                .map(s -> s.metrics().get(metric)).filter(v -> v != null).mapToDouble(Double::doubleValue)
                .sorted().toArray();
        if (values.length == 0) {
            return OptionalDouble.empty();
        }
        int mid = values.length / 2;
        return OptionalDouble.of(values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2);
    }

    /** How many rounds gave {@code system} a figure for {@code workload}. */
    synchronized int count(String system, String workload) {
        return (int) samples.stream().filter(s -> s.system().equals(system) && s.workload().equals(workload)).count();
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** The per-round values of one figure, for the report. */
    synchronized double[] values(String system, String workload, String metric) {
        return samples.stream().filter(s -> s.system().equals(system) && s.workload().equals(workload))
                .map(s -> s.metrics().get(metric)).filter(v -> v != null).mapToDouble(Double::doubleValue)
                .toArray();
    }

    @Override
    public synchronized String toString() {
        return samples.size() + " samples, " + failures.size() + " failures " + Arrays.toString(failures.toArray());
    }
}
