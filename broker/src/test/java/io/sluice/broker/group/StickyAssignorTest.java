package io.sluice.broker.group;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sticky assignor: complete, balanced, and moving only what balance requires. The properties run over hundreds of
 * generated groups, each from its own seed; a failure names that seed, and {@code -Dsluice.test.seed=N} replays it.
 */
class StickyAssignorTest {
    private final StickyAssignor assignor = new StickyAssignor();

    /** A group where every member subscribes to topic "t", with a random prior ownership. */
    record Scenario(int partitions, int members, long seed) {
        TreeMap<String, List<String>> subscriptions() {
            TreeMap<String, List<String>> subs = new TreeMap<>();
            for (int i = 0; i < members; i++) {
                subs.put(String.format("m%02d", i), List.of("t"));
            }
            return subs;
        }

        /** Each partition owned by a random member, by a member that left ("gone"), or by nobody. */
        Map<String, List<TopicPart>> owned() {
            Random random = new Random(seed);
            List<String> ids = new ArrayList<>(subscriptions().keySet());
            ids.add("gone");
            Map<String, List<TopicPart>> owned = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                if (random.nextInt(5) > 0) {
                    String m = ids.get(random.nextInt(random.nextBoolean() ? ids.size() : Math.max(1, ids.size() / 3)));
                    owned.computeIfAbsent(m, k -> new ArrayList<>()).add(new TopicPart("t", p));
                }
            }
            owned.remove("gone");
            return owned;
        }
    }

    /** 0-40 partitions (the edges 0 and 40 often), 1-12 members (often 1 or 12), a random prior ownership. */
    private static Scenario scenario(Random random) {
        int partitions = switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 40;
            default -> random.nextInt(41);
        };
        int members = switch (random.nextInt(8)) {
            case 0 -> 1;
            case 1 -> 12;
            default -> 1 + random.nextInt(12);
        };
        return new Scenario(partitions, members, random.nextLong());
    }

    @Test
    void everyPartitionOnceBalancedWithinOneAndOnlyTheExcessMoves() {
        forEachCase(300, random -> assertCompleteBalancedAndSticky(scenario(random)));
    }

    private void assertCompleteBalancedAndSticky(Scenario s) {
        Map<String, List<TopicPart>> owned = s.owned();
        Map<String, List<TopicPart>> result = assignor.assign(s.subscriptions(), Map.of("t", s.partitions()), owned);

        Set<TopicPart> seen = new HashSet<>();
        result.values().forEach(list -> list.forEach(tp -> assertThat(seen.add(tp)).as("%s assigned once", tp)
                .isTrue()));
        assertThat(seen).hasSize(s.partitions());
        assertThat(result).containsOnlyKeys(s.subscriptions().keySet());
        int min = result.values().stream().mapToInt(List::size).min().orElse(0);
        int max = result.values().stream().mapToInt(List::size).max().orElse(0);
        assertThat(max - min).as("balance").isLessThanOrEqualTo(1);

        assertThat(moved(owned, result)).as("owned partitions that moved").isEqualTo(minimalMoves(s, owned));
    }

    @Test
    void withDifferentSubscriptionsEachPartitionGoesToASubscriberAndNoSingleMoveHelps() {
        forEachCase(200, this::assertSubscribersOnlyAndNoSingleMoveHelps);
    }

    private void assertSubscribersOnlyAndNoSingleMoveHelps(Random random) {
        Map<String, Integer> counts = Map.of("a", random.nextInt(7), "b", random.nextInt(7), "c", random.nextInt(7));
        TreeMap<String, List<String>> subs = new TreeMap<>();
        int members = 1 + random.nextInt(6);
        for (int i = 0; i < members; i++) {
            List<String> topics = new ArrayList<>(List.of("a", "b", "c"));
            Collections.shuffle(topics, random);
            subs.put("m" + i, List.copyOf(topics.subList(0, 1 + random.nextInt(3))));
        }
        Map<String, List<TopicPart>> owned = new HashMap<>();
        counts.forEach((topic, n) -> {
            for (int p = 0; p < n; p++) {
                owned.computeIfAbsent("m" + random.nextInt(members + 1), k -> new ArrayList<>())
                        .add(new TopicPart(topic, p));
            }
        });
        Map<String, List<TopicPart>> result = assignor.assign(subs, counts, owned);

        Set<TopicPart> seen = new HashSet<>();
        result.forEach((m, list) -> list.forEach(tp -> {
            assertThat(subs.get(m)).as("%s subscribes to %s", m, tp.topic()).contains(tp.topic());
            assertThat(seen.add(tp)).isTrue();
        }));
        int expected = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            boolean subscribed = subs.values().stream().anyMatch(t -> t.contains(e.getKey()));
            expected += subscribed ? e.getValue() : 0;
        }
        assertThat(seen).hasSize(expected);
        result.forEach((from, list) -> list.forEach(tp -> subs.forEach((to, topics) -> {
            if (topics.contains(tp.topic())) {
                assertThat(result.get(to).size()).as("%s could take %s from %s", to, tp, from)
                        .isGreaterThanOrEqualTo(list.size() - 1);
            }
        })));
    }

    @Test
    void aFourthMemberTakesOnePartitionFromEachOfThreeAndNothingElseMoves() {
        TreeMap<String, List<String>> subs = new TreeMap<>();
        Map<String, List<TopicPart>> owned = new HashMap<>();
        for (int m = 0; m < 3; m++) {
            subs.put("m" + m, List.of("t"));
            owned.put("m" + m, List.of(new TopicPart("t", 4 * m), new TopicPart("t", 4 * m + 1),
                    new TopicPart("t", 4 * m + 2), new TopicPart("t", 4 * m + 3)));
        }
        subs.put("m3", List.of("t"));
        Map<String, List<TopicPart>> result = assignor.assign(subs, Map.of("t", 12), owned);
        for (int m = 0; m < 3; m++) {
            assertThat(result.get("m" + m)).hasSize(3);
            assertThat(owned.get("m" + m)).containsAll(result.get("m" + m));
        }
        assertThat(result.get("m3")).hasSize(3);
        assertThat(moved(owned, result)).isEqualTo(3);
    }

    @Test
    void partitionsOfAMemberThatLeftAreSpreadOverTheOthersWhoKeepTheirs() {
        TreeMap<String, List<String>> subs = new TreeMap<>();
        subs.put("a", List.of("t"));
        subs.put("b", List.of("t"));
        Map<String, List<TopicPart>> owned = Map.of("a", List.of(new TopicPart("t", 0), new TopicPart("t", 1)),
                "b", List.of(new TopicPart("t", 2), new TopicPart("t", 3)));
        Map<String, List<TopicPart>> result = assignor.assign(subs, Map.of("t", 6), owned);
        assertThat(result.get("a")).containsExactly(new TopicPart("t", 0), new TopicPart("t", 1),
                new TopicPart("t", 4));
        assertThat(result.get("b")).containsExactly(new TopicPart("t", 2), new TopicPart("t", 3),
                new TopicPart("t", 5));
    }

    /**
     * Runs {@code body} for {@code cases} seeds drawn from a fresh random base seed (or only for the seed given as
     * {@code -Dsluice.test.seed}); a failure is reported with the seed that reproduces it.
     */
    private static void forEachCase(int cases, Consumer<Random> body) {
        String replay = System.getProperty("sluice.test.seed");
        Random seeds = new Random();
        for (int i = 0; i < (replay == null ? cases : 1); i++) {
            long seed = replay == null ? seeds.nextLong() : Long.parseLong(replay);
            try {
                body.accept(new Random(seed));
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " failed; replay it with -Dsluice.test.seed=" + seed
                        + " -Dtest=" + StickyAssignorTest.class.getSimpleName(), t);
            }
        }
    }

    /** How many partitions that some current member owned end up with another member. */
    private static int moved(Map<String, List<TopicPart>> owned, Map<String, List<TopicPart>> result) {
        int moved = 0;
        for (Map.Entry<String, List<TopicPart>> e : owned.entrySet()) {
            for (TopicPart tp : e.getValue()) {
                if (!result.get(e.getKey()).contains(tp)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    /**
     * The fewest owned partitions any balanced assignment must move: members sorted by how many they own get the
     * shares (the {@code partitions % members} largest owners the larger share), and each gives up its excess.
     */
    private static int minimalMoves(Scenario s, Map<String, List<TopicPart>> owned) {
        List<Integer> counts = new ArrayList<>();
        for (String m : s.subscriptions().keySet()) {
            counts.add(owned.getOrDefault(m, List.of()).size());
        }
        counts.sort(Collections.reverseOrder());
        int share = s.partitions() / s.members();
        int larger = s.partitions() % s.members();
        int moves = 0;
        for (int i = 0; i < counts.size(); i++) {
            moves += Math.max(0, counts.get(i) - (i < larger ? share + 1 : share));
        }
        return moves;
    }
}
