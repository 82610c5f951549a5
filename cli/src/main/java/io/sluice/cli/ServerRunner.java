package io.sluice.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.remoting.metrics.MeterRegistries;
import io.sluice.remoting.metrics.MetricsServer;

import java.util.concurrent.CountDownLatch;

/**
 * Runs a server command: its metrics endpoint, the parts it starts, one ready line, then waits for SIGTERM or
 * Ctrl-C and closes what it started, once, in reverse order.
 */
final class ServerRunner {
    private ServerRunner() {
    }

    /** Starts the parts of a server on {@code stack}; returns the ready line (the metrics URL is appended). */
    @FunctionalInterface
    interface Starter {
        String start(Stack stack, PrometheusMeterRegistry meters);
    }

    static void serve(String process, String host, int metricsPort, Starter starter) throws InterruptedException {
        PrometheusMeterRegistry meters = MeterRegistries.prometheus(process);
        Stack stack = new Stack();
        try {
            MetricsServer metrics = metricsPort < 0 ? null
                    : stack.add(new MetricsServer(meters).start(host, metricsPort));
            String ready = starter.start(stack, meters);
            System.out.println(ready + " metrics=" + (metrics == null ? "off" : metrics.uri()));
            System.out.flush();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        runUntilShutdown(stack);
    }

    static void runUntilShutdown(AutoCloseable server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "sluice-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
    }
}
