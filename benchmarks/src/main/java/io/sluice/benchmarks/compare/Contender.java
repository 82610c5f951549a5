package io.sluice.benchmarks.compare;

import java.nio.file.Path;
import java.util.List;

/** One system on one suite (Sluice or a peer; messaging or RPC): runs a round in processes of its own. */
interface Contender {
    /** sluice, kafka, dubbo or grpc. */
    String system();

    /** messaging, replicated or rpc. */
    String suite();

    /** The workloads a round reports, in order. */
    List<String> workloads();

    /**
     * Runs one round: starts the server, runs the load JVM, stops both (also on failure); returns the load JVM's
     * RESULT lines. Logs go under {@code logDir}.
     */
    List<String> runRound(Path logDir) throws Exception;
}
