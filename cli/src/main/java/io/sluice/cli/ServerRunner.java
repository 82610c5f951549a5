package io.sluice.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a server command alive until SIGTERM or Ctrl-C, then closes what it started, once. */
final class ServerRunner {
    private ServerRunner() {
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
