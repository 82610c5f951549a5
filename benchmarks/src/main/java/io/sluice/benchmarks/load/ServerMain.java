package io.sluice.benchmarks.load;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * The end of every provider main the harness starts: prints the ready line {@code READY port=N} the harness waits
 * for, then serves until the process is told to stop (SIGTERM runs {@code onStop} through a shutdown hook).
 */
public final class ServerMain {
    public static final String READY = "READY port=";

    private ServerMain() {
    }

    public static void serve(int port, Runnable onStop, PrintStream out) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                onStop.run();
            } finally {
                stopped.countDown();
            }
        }, "provider-stop"));
        out.println(READY + port);
        out.flush();
        stopped.await();
    }
}
