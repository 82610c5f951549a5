package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Exact expectations of every balancer, with the random draws injected. */
class LoadBalancerTest {
    private static final long NOW_MS = 1_000_000;

    /** Returns the queued draws in order, checking each is within the bound asked for. */
    private static LoadBalancer.RandomSource draws(int... values) {
        Deque<Integer> queue = new ArrayDeque<>();
        for (int v : values) {
            queue.add(v);
        }
        return bound -> {
            int v = queue.removeFirst();
            assertThat(v).isBetween(0, bound - 1);
            return v;
        };
    }

    private static Endpoint ep(String name, int weight) {
        return Endpoint.detached(name, 1, weight);
    }

    private static Invocation call(Object... args) {
        return new Invocation(null, null, args, CallOptions.DEFAULT, 0);
    }

    @Test
    void weightedRandomMapsDrawsOntoWeightSlices() {
        List<Endpoint> abcd = List.of(ep("A", 10), ep("B", 20), ep("C", 20), ep("D", 30));
        LoadBalancer lb = new WeightedRandomLoadBalancer(draws(15, 37, 54, 0, 9, 10, 79), () -> NOW_MS);
        assertThat(lb.select(abcd, call()).id()).isEqualTo("B:1");
        assertThat(lb.select(abcd, call()).id()).isEqualTo("C:1");
        assertThat(lb.select(abcd, call()).id()).isEqualTo("D:1");
        assertThat(lb.select(abcd, call()).id()).isEqualTo("A:1");
        assertThat(lb.select(abcd, call()).id()).isEqualTo("A:1");
        assertThat(lb.select(abcd, call()).id()).isEqualTo("B:1");
        assertThat(lb.select(abcd, call()).id()).isEqualTo("D:1");
    }

    @Test
    void weightedRandomDrawsOverTheTotalWeight() {
        List<Endpoint> abcd = List.of(ep("A", 10), ep("B", 20), ep("C", 20), ep("D", 30));
        List<Integer> bounds = new ArrayList<>();
        new WeightedRandomLoadBalancer(bound -> {
            bounds.add(bound);
            return 0;
        }, () -> NOW_MS).select(abcd, call());
        assertThat(bounds).containsExactly(80);
    }

    @Test
    void smoothRoundRobinSpreadsFourOneOne() {
        List<Endpoint> abc = List.of(ep("a", 4), ep("b", 1), ep("c", 1));
        LoadBalancer lb = new RoundRobinLoadBalancer(() -> NOW_MS);
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            picks.append(lb.select(abc, call()).id().charAt(0));
        }
        assertThat(picks.toString()).isEqualTo("aabaca" + "aabaca");
    }

    @Test
    void leastActivePicksTheFewestInFlight() {
        Endpoint a = ep("A", 100);
        Endpoint b = ep("B", 1);
        Endpoint c = ep("C", 100);
        a.onAttemptStart();
        a.onAttemptStart();
        c.onAttemptStart();
        LoadBalancer lb = new LeastActiveLoadBalancer(draws(), () -> NOW_MS);
        assertThat(lb.select(List.of(a, b, c), call())).isSameAs(b);
    }

    @Test
    void leastActiveBreaksTiesByWeightedRandomWithoutFavouringTheFirst() {
        Endpoint a = ep("A", 100);
        Endpoint b = ep("B", 100);
        LoadBalancer lb = new LeastActiveLoadBalancer(draws(0, 99, 100, 199), () -> NOW_MS);
        List<Endpoint> tied = List.of(a, b);
        assertThat(lb.select(tied, call())).isSameAs(a);
        assertThat(lb.select(tied, call())).isSameAs(a);
        assertThat(lb.select(tied, call())).as("the boundary draw belongs to the second").isSameAs(b);
        assertThat(lb.select(tied, call())).isSameAs(b);
    }

    @Test
    void leastActiveTieBreakIsFairOverEveryDraw() {
        Endpoint a = ep("A", 100);
        Endpoint b = ep("B", 100);
        int[] next = {0};
        LoadBalancer lb = new LeastActiveLoadBalancer(bound -> next[0]++ % bound, () -> NOW_MS);
        int firsts = 0;
        for (int i = 0; i < 200; i++) {
            if (lb.select(List.of(a, b), call()) == a) {
                firsts++;
            }
        }
        assertThat(firsts).as("each of the 200 possible draws once: exactly half go to each").isEqualTo(100);
    }

    @Test
    void leastActiveTiesOnlyAmongTheLeastLoaded() {
        Endpoint a = ep("A", 100);
        Endpoint b = ep("B", 300);
        Endpoint c = ep("C", 100);
        b.onAttemptStart();
        LoadBalancer lb = new LeastActiveLoadBalancer(draws(150, 99, 100), () -> NOW_MS);
        // A and C tie at 0 (total 200): draws 150 -> C, 99 -> A; bound is 200, not 500
        assertThat(lb.select(List.of(a, b, c), call())).isSameAs(c);
        assertThat(lb.select(List.of(a, b, c), call())).isSameAs(a);
        assertThat(lb.select(List.of(a, b, c), call())).isSameAs(c);
    }

    @Test
    void consistentHashIsStableAndMovesOnlyTheKeysOfALeavingProvider() {
        Endpoint a = ep("10.0.0.1", 100);
        Endpoint b = ep("10.0.0.2", 100);
        Endpoint c = ep("10.0.0.3", 100);
        LoadBalancer lb = new ConsistentHashLoadBalancer();
        Map<String, Endpoint> before = new HashMap<>();
        Map<Endpoint, Integer> share = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = "user-" + i;
            Endpoint chosen = lb.select(List.of(a, b, c), call(key, "ignored"));
            before.put(key, chosen);
            share.merge(chosen, 1, Integer::sum);
            assertThat(lb.select(List.of(a, b, c), call(key, "other"))).as("same key, same provider")
                    .isSameAs(chosen);
        }
        // 160 virtual nodes each: every provider owns a fair share (bound: within 40% of a third)
        assertThat(share.values()).allSatisfy(n -> assertThat(n).isBetween(600, 1400));
        int moved = 0;
        for (Map.Entry<String, Endpoint> e : before.entrySet()) {
            Endpoint after = lb.select(List.of(a, c), call(e.getKey()));
            if (e.getValue() == b) {
                assertThat(after).isIn(a, c);
                moved++;
            } else {
                assertThat(after).as("key %s of a staying provider stays", e.getKey()).isSameAs(e.getValue());
            }
        }
        assertThat(moved).isEqualTo(share.get(b));
    }

    @Test
    void consistentHashKeysOnTheConfiguredArgument() {
        Endpoint a = ep("10.0.0.1", 100);
        Endpoint b = ep("10.0.0.2", 100);
        LoadBalancer lb = new ConsistentHashLoadBalancer();
        CallOptions second = CallOptions.DEFAULT.with(CallOptions.HASH_ARGUMENT, 1);
        for (int i = 0; i < 200; i++) {
            Invocation byFirst = new Invocation(null, null, new Object[] {"k" + i, "fixed"}, CallOptions.DEFAULT, 0);
            Invocation bySecond = new Invocation(null, null, new Object[] {"k" + i, "fixed"}, second, 0);
            assertThat(lb.select(List.of(a, b), bySecond)).isSameAs(lb.select(List.of(a, b), call("fixed")));
            assertThat(lb.select(List.of(a, b), byFirst)).isSameAs(lb.select(List.of(a, b), call("k" + i)));
        }
    }

    @Test
    void latencyAwareTakesTheCheaperOfTwoDistinctDraws() {
        Endpoint fast = ep("fast", 100);
        Endpoint slow = ep("slow", 100);
        Endpoint busy = ep("busy", 100);
        fast.onAttemptStart();
        fast.onAttemptEnd(1_000_000, 0); // 1 ms, idle now
        slow.onAttemptStart();
        slow.onAttemptEnd(9_000_000, 0); // 9 ms
        busy.onAttemptStart();
        busy.onAttemptEnd(1_000_000, 0);
        busy.onAttemptStart();
        busy.onAttemptStart(); // 1 ms but two in flight: cost 3 ms
        List<Endpoint> all = List.of(fast, slow, busy);
        // draws: (i, j) with j skipping i
        LoadBalancer lb = new LatencyAwareLoadBalancer(draws(1, 0, 0, 0, 1, 1, 2, 0), () -> NOW_MS, () -> 0);
        assertThat(lb.select(all, call())).as("slow vs fast").isSameAs(fast);
        assertThat(lb.select(all, call())).as("fast vs slow").isSameAs(fast);
        assertThat(lb.select(all, call())).as("slow vs busy").isSameAs(busy);
        assertThat(lb.select(all, call())).as("busy vs fast").isSameAs(fast);
    }

    @Test
    void latencyAwareSpreadsOverEqualEndpoints() {
        List<Endpoint> all = List.of(ep("a", 100), ep("b", 100), ep("c", 100));
        Random random = new Random(42);
        LoadBalancer lb = new LatencyAwareLoadBalancer(random::nextInt, () -> NOW_MS, () -> 0);
        Map<Endpoint, Integer> picks = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            picks.merge(lb.select(all, call()), 1, Integer::sum);
        }
        // all idle and without latency: the pick is the first draw, uniform (bound: within 20% of a third)
        assertThat(picks.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
    }

    @Test
    void latencyAwareTriesAgainAnEndpointWhoseSlowAnswerIsOld() {
        Endpoint once = ep("once-slow", 100);
        Endpoint steady = ep("steady", 100);
        once.onAttemptStart();
        once.onAttemptEnd(20_000_000, 0); // one 20 ms answer at t=0, then no traffic
        steady.onAttemptStart();
        steady.onAttemptEnd(1_000_000, 0);
        long[] now = {0};
        LoadBalancer lb = new LatencyAwareLoadBalancer(draws(0, 0, 0, 0), () -> NOW_MS, () -> now[0]);
        assertThat(lb.select(List.of(once, steady), call())).isSameAs(steady);
        now[0] = 5_000_000_000L; // 5 s later steady answered again in 1 ms; once-slow has decayed to ~0.13 ms
        steady.onAttemptStart();
        steady.onAttemptEnd(1_000_000, now[0]);
        assertThat(once.latencyEstimateNs(now[0])).isBetween(100_000L, 150_000L);
        assertThat(lb.select(List.of(once, steady), call())).isSameAs(once);
    }

    @Test
    void warmUpRampsTheWeightLinearly() {
        Endpoint cold = new Endpoint("cold", InetSocketAddress.createUnresolved("cold", 1), 100,
                NOW_MS - 6_000, 60_000, Map.of(), null, null);
        Endpoint warm = new Endpoint("warm", InetSocketAddress.createUnresolved("warm", 1), 100,
                NOW_MS - 120_000, 60_000, Map.of(), null, null);
        Endpoint justStarted = new Endpoint("new", InetSocketAddress.createUnresolved("new", 1), 100,
                NOW_MS, 60_000, Map.of(), null, null);
        assertThat(cold.effectiveWeight(NOW_MS)).isEqualTo(10);
        assertThat(warm.effectiveWeight(NOW_MS)).isEqualTo(100);
        assertThat(justStarted.effectiveWeight(NOW_MS)).isEqualTo(1);
        // cold (10) vs warm (100): draws 0..9 cold, 10..109 warm
        LoadBalancer lb = new WeightedRandomLoadBalancer(draws(9, 10), () -> NOW_MS);
        assertThat(lb.select(List.of(cold, warm), call())).isSameAs(cold);
        assertThat(lb.select(List.of(cold, warm), call())).isSameAs(warm);
    }
}
