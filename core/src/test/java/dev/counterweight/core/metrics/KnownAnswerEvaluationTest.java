package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.metrics.KnownAnswerEvaluation.Group;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.GroupSplit;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Report;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Result;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Sample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KnownAnswerEvaluationTest {

    private static final double EPS = 1e-12;

    /** Pairwise AUC in O(n²): a positive above a negative counts 1, a tie 1/2. */
    private static double bruteAuc(List<Sample> s, boolean truth) {
        double wins = 0;
        long pairs = 0;
        for (Sample p : s) {
            if (!p.label()) {
                continue;
            }
            for (Sample q : s) {
                if (q.label()) {
                    continue;
                }
                double a = truth ? p.truth() : p.score();
                double b = truth ? q.truth() : q.score();
                wins += a > b ? 1 : a == b ? 0.5 : 0;
                pairs++;
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }

    /**
     * Random samples over {@code categories} categories of Zipf-like size, truths from a logistic
     * model, labels drawn from the truths, scores the truth plus noise rounded to 2 decimals (so
     * there are ties).
     */
    private static List<Sample> samples(long seed, int n, int categories) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c =
                    (int)
                            Math.min(
                                    categories - 1,
                                    Math.floor(Math.pow(r.nextDouble(), 3) * categories));
            double truth = 1 / (1 + Math.exp(-(-1.5 + r.nextGaussian())));
            boolean label = r.nextDouble() < truth;
            double score =
                    Math.round(Math.min(1, Math.max(0, truth + 0.15 * r.nextGaussian())) * 100)
                            / 100.0;
            out.add(new Sample("c" + c, truth, label, score));
        }
        return out;
    }

    @Test
    void overallAucAndCeilingMatchPairwiseCounting() {
        List<Sample> s = samples(1, 700, 30);
        Result overall = KnownAnswerEvaluation.evaluate(s).overall();
        assertThat(overall.auc()).isCloseTo(bruteAuc(s, false), within(EPS));
        assertThat(overall.ceilingAuc()).isCloseTo(bruteAuc(s, true), within(EPS));
        assertThat(overall.liftCaptured())
                .isCloseTo((bruteAuc(s, false) - 0.5) / (bruteAuc(s, true) - 0.5), within(1e-9));
        assertThat(overall.samples()).isEqualTo(700);
        assertThat(overall.positives()).isEqualTo(s.stream().filter(Sample::label).count());
        assertThat(overall.aucStandardError())
                .isEqualTo(
                        AucStandardError.hanleyMcNeil(
                                overall.auc(), overall.positives(), 700 - overall.positives()));
    }

    @Test
    void groupsSplitCategoriesByVolumeAndEachGroupMatchesPairwiseCounting() {
        List<Sample> s = samples(2, 900, 50);
        Map<String, Long> volume = new HashMap<>();
        for (Sample x : s) {
            volume.merge(x.category(), 1L, Long::sum);
        }
        volume.put("never-sampled", 0L);
        Report report = KnownAnswerEvaluation.evaluate(s, volume, GroupSplit.DEFAULT, 10);
        // Reference: rank by volume descending then key; 2% and 20% of the categories, rounded up.
        List<String> ranked =
                volume.entrySet().stream()
                        .sorted(
                                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                                        .thenComparing(Map.Entry.comparingByKey()))
                        .map(Map.Entry::getKey)
                        .toList();
        int c = ranked.size();
        int head = (int) Math.ceil(0.02 * c - 1e-9);
        int headTorso = (int) Math.ceil(0.20 * c - 1e-9);
        for (int i = 0; i < c; i++) {
            Group expected = i < head ? Group.HEAD : i < headTorso ? Group.TORSO : Group.TAIL;
            assertThat(report.categoryGroups().get(ranked.get(i))).isEqualTo(expected);
        }
        long total = volume.values().stream().mapToLong(Long::longValue).sum();
        for (Group g : Group.values()) {
            List<Sample> members =
                    s.stream().filter(x -> report.categoryGroups().get(x.category()) == g).toList();
            Result r = report.groups().get(g);
            assertThat(r.samples()).isEqualTo(members.size());
            assertThat(r.auc()).isCloseTo(bruteAuc(members, false), within(EPS));
            assertThat(r.ceilingAuc()).isCloseTo(bruteAuc(members, true), within(EPS));
            long groupVolume =
                    volume.entrySet().stream()
                            .filter(e -> report.categoryGroups().get(e.getKey()) == g)
                            .mapToLong(Map.Entry::getValue)
                            .sum();
            assertThat(r.volumeShare()).isCloseTo(groupVolume / (double) total, within(EPS));
        }
        assertThat(report.groups().get(Group.TAIL).categories()).isEqualTo(c - headTorso);
    }

    @Test
    void macroAucAveragesCategoriesThatHaveBothLabels() {
        List<Sample> s = samples(3, 600, 40);
        Map<String, List<Sample>> byCategory =
                s.stream().collect(Collectors.groupingBy(Sample::category));
        double sum = 0;
        double ceilingSum = 0;
        int counted = 0;
        for (List<Sample> c : byCategory.values()) {
            double a = bruteAuc(c, false);
            if (!Double.isNaN(a)) {
                sum += a;
                ceilingSum += bruteAuc(c, true);
                counted++;
            }
        }
        Result overall = KnownAnswerEvaluation.evaluate(s).overall();
        assertThat(counted).isLessThan(byCategory.size()); // some categories lack a label
        assertThat(overall.macroCategories()).isEqualTo(counted);
        assertThat(overall.macroAuc()).isCloseTo(sum / counted, within(EPS));
        assertThat(overall.macroCeilingAuc()).isCloseTo(ceilingSum / counted, within(EPS));
    }

    @Test
    void eceComparesEqualCountScoreBinsWithTheTruth() {
        Random r = new Random(4);
        List<Sample> s = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            double truth = r.nextDouble() * 0.3;
            // Distinct scores, biased upwards by 0.02 plus noise.
            s.add(
                    new Sample(
                            "c",
                            truth,
                            r.nextDouble() < truth,
                            truth + 0.02 + 0.05 * r.nextDouble()));
        }
        // Reference: sort by score, 10 chunks of 100.
        List<Sample> sorted = s.stream().sorted(Comparator.comparingDouble(Sample::score)).toList();
        double expected = 0;
        for (int b = 0; b < 10; b++) {
            List<Sample> chunk = sorted.subList(100 * b, 100 * (b + 1));
            double ms = chunk.stream().mapToDouble(Sample::score).average().orElseThrow();
            double mt = chunk.stream().mapToDouble(Sample::truth).average().orElseThrow();
            expected += 0.1 * Math.abs(ms - mt);
        }
        Result overall =
                KnownAnswerEvaluation.evaluate(s, Map.of("c", 1000L), GroupSplit.DEFAULT, 10)
                        .overall();
        assertThat(overall.ece()).isCloseTo(expected, within(EPS));
        assertThat(overall.meanAbsoluteError())
                .isCloseTo(
                        s.stream()
                                .mapToDouble(x -> Math.abs(x.score() - x.truth()))
                                .average()
                                .orElseThrow(),
                        within(EPS));
    }

    @Test
    void aTieGroupOfScoresStaysInOneBinWhateverTheInputOrder() {
        // A constant scorer: every sample ties, so the ECE is |score − mean truth| in any order.
        List<Sample> s = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            s.add(new Sample("c", i / 200.0, i % 7 == 0, 0.1));
        }
        double meanTruth = s.stream().mapToDouble(Sample::truth).average().orElseThrow();
        List<Sample> reversed = new ArrayList<>(s);
        java.util.Collections.reverse(reversed);
        for (List<Sample> order : List.of(s, reversed)) {
            assertThat(
                            KnownAnswerEvaluation.evaluate(
                                            order, Map.of("c", 100L), GroupSplit.DEFAULT, 10)
                                    .overall()
                                    .ece())
                    .isCloseTo(Math.abs(0.1 - meanTruth), within(EPS));
        }
    }

    @Test
    void theTruthAsScoreCapturesTheWholeLift() {
        List<Sample> s =
                samples(5, 500, 10).stream()
                        .map(x -> new Sample(x.category(), x.truth(), x.label(), x.truth()))
                        .toList();
        Result overall = KnownAnswerEvaluation.evaluate(s).overall();
        assertThat(overall.auc()).isEqualTo(overall.ceilingAuc());
        assertThat(overall.liftCaptured()).isCloseTo(1.0, within(EPS));
        assertThat(overall.ece()).isZero();
        assertThat(KnownAnswerEvaluation.liftCaptured(0.6, 0.5)).isNaN();
    }

    @Test
    void rejectsSamplesWithoutVolumeAndInvalidTruths() {
        List<Sample> s = List.of(new Sample("a", 0.1, true, 0.2));
        assertThatThrownBy(
                        () ->
                                KnownAnswerEvaluation.evaluate(
                                        s, Map.of("b", 3L), GroupSplit.DEFAULT, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("category 'a'");
        assertThatThrownBy(() -> new Sample("a", 1.5, true, 0.2))
                .hasMessageContaining("truth must lie in [0, 1]");
        assertThatThrownBy(() -> new GroupSplit(0.5, 0.6))
                .hasMessageContaining("headFraction and torsoFraction");
        assertThatThrownBy(() -> KnownAnswerEvaluation.evaluate(List.of()))
                .hasMessageContaining("no samples");
    }

    @Test
    void defaultSplitOfFiveHundredCategoriesIsTenNinetyFourHundred() {
        assertThat(GroupSplit.DEFAULT.headCount(500)).isEqualTo(10);
        assertThat(GroupSplit.DEFAULT.headAndTorsoCount(500)).isEqualTo(100);
        assertThat(GroupSplit.DEFAULT.headCount(10)).isEqualTo(1);
    }
}
