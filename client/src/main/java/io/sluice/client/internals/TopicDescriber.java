package io.sluice.client.internals;

import io.sluice.client.PartitionDescription;
import io.sluice.client.TopicDescription;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.PartitionLogState;
import io.sluice.remoting.protocol.PartitionStatesRequest;
import io.sluice.remoting.protocol.PartitionStatesResponse;
import io.sluice.remoting.protocol.ReplicaState;
import io.sluice.remoting.protocol.TopicRoute;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Describes a topic: placement from the nameservers, log offsets (its own and each replica's as it tracks them)
 * from each partition's leader (PARTITION_STATES).
 * A leader that cannot answer yet (restarting, moving, not hosting the partition yet) is asked again with fresh
 * routes until the deadline; partitions without a leader are reported at once with offsets -1. Thread-safe.
 */
final class TopicDescriber {
    private static final Logger LOG = LoggerFactory.getLogger(TopicDescriber.class);

    private final RemotingClient client;
    private final Backoff backoff;
    /** Fetches the routes of one topic from a nameserver by a deadline (retrying inside). */
    private final BiFunction<String, Long, GetRoutesResponse> routes;

    TopicDescriber(RemotingClient client, Backoff backoff, BiFunction<String, Long, GetRoutesResponse> routes) {
        this.client = client;
        this.backoff = backoff;
        this.routes = routes;
    }

    TopicDescription describe(String topic, long deadlineNs) {
        Map<Integer, PartitionLogState> states = new HashMap<>();
        TopicRoute route;
        int attempt = 0;
        while (true) {
            GetRoutesResponse answer = routes.apply(topic, deadlineNs);
            route = find(topic, answer);
            Set<Integer> missing = ask(topic, route, answer.brokers, states, deadlineNs);
            if (missing.isEmpty()) {
                break;
            }
            long pauseNs = backoff.delayNs(++attempt);
            if (deadlineNs - System.nanoTime() - pauseNs <= 0) {
                LOG.debug("Leaders of {} partitions {} did not report their logs in time", topic, missing);
                break;
            }
            LockSupport.parkNanos(pauseNs);
        }
        List<PartitionRoute> sorted = new ArrayList<>(route.partitions == null ? List.of() : route.partitions);
        sorted.sort((a, b) -> Integer.compare(a.partition, b.partition));
        List<PartitionDescription> partitions = new ArrayList<>();
        for (PartitionRoute p : sorted) {
            PartitionLogState s = states.get(p.partition);
            partitions.add(new PartitionDescription(p.partition, p.leader, p.leaderEpoch, p.replicas, p.isr,
                    s == null ? -1 : s.logStartOffset, s == null ? -1 : s.logEndOffset,
                    s == null ? -1 : s.highWatermark, s == null ? List.of() : replicaLogs(s)));
        }
        return new TopicDescription(topic, route.replicationFactor, route.configs, partitions);
    }

    private static List<PartitionDescription.ReplicaLog> replicaLogs(PartitionLogState s) {
        List<PartitionDescription.ReplicaLog> out = new ArrayList<>();
        for (ReplicaState r : s.replicas == null ? List.<ReplicaState>of() : s.replicas) {
            out.add(new PartitionDescription.ReplicaLog(r.replica, r.logEndOffset, r.lagMs));
        }
        return out;
    }

    private static TopicRoute find(String topic, GetRoutesResponse answer) {
        if (answer.topics != null) {
            for (TopicRoute t : answer.topics) {
                if (topic.equals(t.topic)) {
                    if (t.partitions == null) {
                        t.partitions = List.of();
                    }
                    return t;
                }
            }
        }
        throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "topic " + topic + " does not exist");
    }

    /**
     * Asks the leaders of the partitions not yet in {@code states}; returns the partitions with a leader that did
     * not report (to ask again). Partitions without a live leader are not waited for.
     */
    private Set<Integer> ask(String topic, TopicRoute route, List<BrokerInfo> live, Map<Integer, PartitionLogState> states,
                             long deadlineNs) {
        Map<Integer, InetSocketAddress> brokers = new HashMap<>();
        for (BrokerInfo b : live == null ? List.<BrokerInfo>of() : live) {
            brokers.put(b.id, new InetSocketAddress(b.host, b.port));
        }
        Map<Integer, Set<Integer>> partitionsByLeader = new HashMap<>();
        for (PartitionRoute p : route.partitions) {
            if (!states.containsKey(p.partition) && p.leader >= 0 && brokers.containsKey(p.leader)) {
                partitionsByLeader.computeIfAbsent(p.leader, k -> new HashSet<>()).add(p.partition);
            }
        }
        PartitionStatesRequest request = new PartitionStatesRequest();
        request.topic = topic;
        Map<Integer, CompletableFuture<Response>> asks = new HashMap<>();
        for (Integer leader : partitionsByLeader.keySet()) {
            long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
            asks.put(leader, client.connection(brokers.get(leader))
                    .thenCompose(c -> c.request(ApiKey.PARTITION_STATES, request, null, timeoutMs)));
        }
        Set<Integer> missing = new HashSet<>();
        for (Map.Entry<Integer, CompletableFuture<Response>> e : asks.entrySet()) {
            Set<Integer> wanted = partitionsByLeader.get(e.getKey());
            try (Response response = e.getValue().get(Math.max(0, deadlineNs - System.nanoTime()),
                    TimeUnit.NANOSECONDS)) {
                PartitionStatesResponse answer = response.message();
                for (PartitionLogState s : answer.partitions == null ? List.<PartitionLogState>of() : answer.partitions) {
                    if (s.leader && wanted.remove(s.partition)) {
                        states.put(s.partition, s);
                    }
                }
            } catch (ExecutionException ex) {
                SluiceException error = SluiceException.from(ex.getCause());
                if (!error.code().retriable()) {
                    throw new SluiceException(error.code(), "describe " + topic + ": broker " + e.getKey() + ": "
                            + error.getMessage(), error);
                }
                LOG.debug("Broker {} could not report partitions of {} yet: {}", e.getKey(), topic, error.toString());
            } catch (TimeoutException ex) {
                e.getValue().thenAccept(Response::close);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while describing " + topic);
            }
            missing.addAll(wanted);
        }
        return missing;
    }
}
