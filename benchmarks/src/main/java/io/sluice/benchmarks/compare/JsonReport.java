package io.sluice.benchmarks.compare;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The comparison as JSON: machine facts, settings, peer versions, every sample (each metric of each workload of
 * each round of each system), every failure and the medians the table shows. Hand-written (no JSON library on the
 * harness classpath). Stateless; thread-safe.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String render(CompareSettings settings, Results results, Map<String, String> facts,
                         Map<String, String> versions) {
        StringBuilder j = new StringBuilder("{\n");
        j.append("  \"machine\": ").append(object(facts)).append(",\n");
        j.append("  \"versions\": ").append(object(versions)).append(",\n");
        j.append("  \"quick\": ").append(settings.quick).append(",\n");
        j.append("  \"rounds\": ").append(settings.rounds).append(",\n");
        j.append("  \"settings\": ").append(object(settings.settings())).append(",\n");
        j.append("  \"samples\": [");
        Iterator<Results.Sample> samples = results.samples().iterator();
        while (samples.hasNext()) {
            Results.Sample s = samples.next();
            j.append("\n    {\"system\": ").append(str(s.system())).append(", \"workload\": ").append(str(s.workload()))
                    .append(", \"round\": ").append(s.round()).append(", \"metrics\": {");
            Iterator<Map.Entry<String, Double>> m = s.metrics().entrySet().iterator();
            while (m.hasNext()) {
                Map.Entry<String, Double> e = m.next();
                j.append(str(e.getKey())).append(": ").append(num(e.getValue())).append(m.hasNext() ? ", " : "");
            }
            j.append("}}").append(samples.hasNext() ? "," : "");
        }
        j.append("\n  ],\n  \"failures\": [");
        Iterator<Results.Failure> failures = results.failures().iterator();
        while (failures.hasNext()) {
            Results.Failure f = failures.next();
            j.append("\n    {\"system\": ").append(str(f.system())).append(", \"workload\": ").append(str(f.workload()))
                    .append(", \"round\": ").append(f.round()).append(", \"error\": ").append(str(f.error()))
                    .append('}').append(failures.hasNext() ? "," : "");
        }
        j.append("\n  ],\n  \"medians\": [");
        boolean first = true;
        for (Row row : Row.all(settings)) {
            for (String system : systems(row)) {
                OptionalDouble m = results.median(system, row.workload(), row.metric());
                if (m.isPresent()) {
                    j.append(first ? "" : ",").append("\n    {\"system\": ").append(str(system))
                            .append(", \"workload\": ").append(str(row.workload())).append(", \"metric\": ")
                            .append(str(row.metric())).append(", \"median\": ").append(num(m.getAsDouble()))
                            .append(", \"rounds\": ").append(results.count(system, row.workload())).append('}');
                    first = false;
                }
            }
        }
        return j.append("\n  ]\n}\n").toString();
    }

    private static List<String> systems(Row row) {
        List<String> out = new java.util.ArrayList<>(List.of("sluice"));
        out.addAll(row.peers());
        return out;
    }

    private static String object(Map<String, String> map) {
        StringBuilder o = new StringBuilder("{");
        Iterator<Map.Entry<String, String>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, String> e = it.next();
            o.append(str(e.getKey())).append(": ").append(str(e.getValue())).append(it.hasNext() ? ", " : "");
        }
        return o.append('}').toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }

    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
