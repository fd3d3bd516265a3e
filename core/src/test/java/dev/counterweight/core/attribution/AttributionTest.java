package dev.counterweight.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attribution rules ({@link Attribution}, run in memory as the offline path runs them) against
 * a brute-force reference that computes every sample from its definition instead of a state machine
 * with timers: for each key, the exposures that open a window (the first one, and every one after
 * the previous window closed); the clicks and purchases each window owns (those after its exposure
 * and before the next window's, in {@link EventOrder}); the labels from the owned events inside the
 * window; a correction at the first owned purchase inside the horizon when the window has no
 * conversion; unmatched clicks and purchases (no window, or past its horizon); and the emission
 * order (by time; at one time corrections, in event order, before closes, by exposure id). Streams
 * are random, on a coarse time grid so that same-millisecond ties are everywhere.
 */
class AttributionTest {

    /** A user's event: id, attribution key, action, time. */
    record Ev(String id, String key, Action action, long time) {}

    private static final Attribution.EventView<Ev> VIEW =
            new Attribution.EventView<>(Ev::time, Ev::action, Ev::id, Ev::key);

    /** One expected sample. */
    record Sample(
            String sampleId,
            long closedAt,
            boolean click,
            boolean conversion,
            boolean correction,
            List<String> sources) {}

    private static final Action[] ACTIONS = {
        Action.EXPOSURE,
        Action.EXPOSURE,
        Action.EXPOSURE,
        Action.CLICK,
        Action.CLICK,
        Action.PURCHASE,
        Action.PURCHASE,
        Action.CART,
        Action.FAV
    };

    @Test
    void randomStreamsGiveTheReferenceSamplesInTheReferenceOrder() {
        long[][] rules = {{30, 40}, {30, 0}, {0, 20}, {0, 0}, {10, 100}, {50, 10}};
        int checked = 0;
        int corrections = 0;
        int unmatchedSeen = 0;
        for (int seed = 0; seed < 600; seed++) {
            Random random = new Random(seed);
            long[] r = rules[seed % rules.length];
            AttributionRules ar = new AttributionRules(r[0], r[1]);
            List<Ev> events = randomEvents(random);
            int[] expectedUnmatched = new int[1];
            List<Sample> expected = reference(events, ar, expectedUnmatched);

            Attribution.Unused unused = new Attribution.Unused();
            List<Sample> actual = samples(Attribution.run(ar, VIEW, events, unused));

            assertThat(actual)
                    .as("seed %d, window %d, horizon %d, events %s", seed, r[0], r[1], events)
                    .containsExactlyElementsOf(expected);
            assertThat(unused.unmatched)
                    .as("unmatched, seed %d", seed)
                    .isEqualTo(expectedUnmatched[0]);
            checked += expected.size();
            corrections += (int) expected.stream().filter(Sample::correction).count();
            unmatchedSeen += expectedUnmatched[0];
        }
        // The streams exercise what the rules distinguish.
        assertThat(checked).isGreaterThan(3_000);
        assertThat(corrections).isGreaterThan(100);
        assertThat(unmatchedSeen).isGreaterThan(100);
    }

    @Test
    void theInputOrderDoesNotMatter() {
        AttributionRules ar = new AttributionRules(30, 40);
        for (int seed = 0; seed < 50; seed++) {
            List<Ev> events = randomEvents(new Random(seed));
            List<Sample> inOrder = samples(Attribution.run(ar, VIEW, events, null));
            List<Ev> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, new Random(-seed));
            assertThat(samples(Attribution.run(ar, VIEW, shuffled, null))).isEqualTo(inOrder);
        }
    }

    @Test
    void aClickInTheExposuresMillisecondWithASmallerIdIsAttributed() {
        // By event id alone the click would come first and find no window.
        List<Ev> events =
                List.of(
                        new Ev("z-exposure", "i", Action.EXPOSURE, 100),
                        new Ev("a-click", "i", Action.CLICK, 100));
        Attribution.Unused unused = new Attribution.Unused();
        List<Sample> out =
                samples(Attribution.run(new AttributionRules(0, 0), VIEW, events, unused));
        assertThat(out)
                .containsExactly(
                        new Sample(
                                "z-exposure",
                                100,
                                true,
                                false,
                                false,
                                List.of("z-exposure", "a-click")));
        assertThat(unused.unmatched).isZero();
    }

    private static List<Ev> randomEvents(Random random) {
        List<Ev> events = new ArrayList<>();
        int n = 5 + random.nextInt(30);
        for (int i = 0; i < n; i++) {
            // Times on a grid of 10 ms over 200 ms: ties, closes and expiries land on events.
            long t = 10L * random.nextInt(20);
            String key = "k" + random.nextInt(3);
            Action action = ACTIONS[random.nextInt(ACTIONS.length)];
            events.add(
                    new Ev(String.format("e%03d", random.nextInt(1000)) + "-" + i, key, action, t));
        }
        return events;
    }

    private static List<Sample> samples(List<Attribution.Emitted<Ev>> emitted) {
        List<Sample> out = new ArrayList<>();
        for (Attribution.Emitted<Ev> e : emitted) {
            out.add(
                    new Sample(
                            Attribution.sampleId(e.exposure().id(), e.correction()),
                            e.closedAt(),
                            e.click(),
                            e.conversion(),
                            e.correction(),
                            e.sources().stream().map(Ev::id).toList()));
        }
        return out;
    }

    /** An expected sample with what orders its emission. */
    private record Ordered(Sample sample, long time, int kind, int eventRank, String exposureId) {}

    /** The samples by definition, in emission order; counts unmatched clicks and purchases. */
    static List<Sample> reference(List<Ev> events, AttributionRules rules, int[] unmatched) {
        long w = rules.windowMillis();
        long h = rules.correctionHorizonMillis();
        List<Ev> sorted = new ArrayList<>(events);
        // The tie rule is part of the definition: time, exposures first, event id.
        sorted.sort(
                Comparator.comparingLong(Ev::time)
                        .thenComparing(e -> e.action() != Action.EXPOSURE)
                        .thenComparing(Ev::id));
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            byKey.computeIfAbsent(sorted.get(i).key(), k -> new ArrayList<>()).add(i);
        }
        List<Ordered> out = new ArrayList<>();
        for (List<Integer> idx : byKey.values()) {
            // Exposures that open a window: none open yet, or after the open window's end.
            List<Integer> opens = new ArrayList<>();
            for (int i : idx) {
                Ev e = sorted.get(i);
                if (e.action() == Action.EXPOSURE
                        && (opens.isEmpty()
                                || e.time() > sorted.get(opens.get(opens.size() - 1)).time() + w)) {
                    opens.add(i);
                }
            }
            for (int i : idx) {
                Ev e = sorted.get(i);
                boolean label = e.action() == Action.CLICK || e.action() == Action.PURCHASE;
                if (label && (opens.isEmpty() || i < opens.get(0))) {
                    unmatched[0]++;
                }
            }
            for (int o = 0; o < opens.size(); o++) {
                int from = opens.get(o);
                int to = o + 1 < opens.size() ? opens.get(o + 1) : Integer.MAX_VALUE;
                Ev exposure = sorted.get(from);
                long t0 = exposure.time();
                boolean click = false;
                boolean conversion = false;
                List<String> sources = new ArrayList<>(List.of(exposure.id()));
                Ev late = null;
                int lateRank = -1;
                for (int i : idx) {
                    if (i <= from || i >= to) {
                        continue;
                    }
                    Ev e = sorted.get(i);
                    long t = e.time();
                    boolean inWindow = t >= t0 && t <= t0 + w;
                    if (e.action() == Action.CLICK || e.action() == Action.PURCHASE) {
                        if (t > t0 + w + h) {
                            unmatched[0]++;
                        }
                    }
                    if (inWindow && e.action() == Action.CLICK && !click) {
                        click = true;
                        sources.add(e.id());
                    }
                    if (inWindow && e.action() == Action.PURCHASE && !conversion) {
                        click = true;
                        conversion = true;
                        sources.add(e.id());
                    }
                    if (e.action() == Action.PURCHASE
                            && t > t0 + w
                            && t <= t0 + w + h
                            && late == null) {
                        late = e;
                        lateRank = i;
                    }
                }
                out.add(
                        new Ordered(
                                new Sample(
                                        exposure.id(),
                                        t0 + w,
                                        click,
                                        conversion,
                                        false,
                                        List.copyOf(sources)),
                                t0 + w,
                                1,
                                0,
                                exposure.id()));
                if (late != null && !conversion) {
                    sources.add(late.id());
                    out.add(
                            new Ordered(
                                    new Sample(
                                            exposure.id() + "#correction",
                                            late.time(),
                                            true,
                                            true,
                                            true,
                                            List.copyOf(sources)),
                                    late.time(),
                                    0,
                                    lateRank,
                                    exposure.id()));
                }
            }
        }
        out.sort(
                Comparator.comparingLong(Ordered::time)
                        .thenComparingInt(Ordered::kind)
                        .thenComparingInt(Ordered::eventRank)
                        .thenComparing(Ordered::exposureId));
        return out.stream().map(Ordered::sample).toList();
    }
}
