package io.sluice.remoting.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Creates the meter registries of Sluice processes. Not instantiable. */
public final class MeterRegistries {
    /** Name of the tag every meter of a process carries. */
    public static final String PROCESS_TAG = "process";

    private MeterRegistries() {
    }

    /** A Prometheus registry whose meters all carry {@code process=<process>} (e.g. {@code broker}). */
    public static PrometheusMeterRegistry prometheus(String process) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(PROCESS_TAG, process);
        return registry;
    }
}
