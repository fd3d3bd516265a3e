package dev.counterweight.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Evaluation on a stream whose answers are known: every sample carries, beside its label and the
 * model's score, the true probability of its label. The true probabilities give the <b>ceiling</b>,
 * the AUC of the Bayes-optimal scorer on the same samples, so a model's AUC can be read as the
 * fraction of the reachable lift it captures ({@code lift = AUC − 0.5}).
 *
 * <p>Results come overall, per category group and as a macro average over categories. The groups
 * follow category volume: the {@code headFraction} most voluminous categories are the head, the
 * next {@code torsoFraction} the torso, the rest the tail (defaults 2% and 18%, so head and torso
 * are the top 20%). Volumes rank descending, ties by category key, and the group sizes are {@code
 * ceil(headFraction · C)} and {@code ceil((headFraction + torsoFraction) · C) − head} for {@code C}
 * categories.
 *
 * <p>Calibration is measured against the truth, not the labels, so it is free of label noise:
 * {@code ece} sorts the samples by score into {@code bins} bins of (about) equal count, a tie group
 * of scores staying in one bin, and sums {@code (n_b / n) · |mean score_b − mean truth_b|}; {@code
 * meanAbsoluteError} is the per-sample {@code mean |score − truth|}, which also charges a
 * calibrated but less sharp model for what it does not resolve.
 *
 * <p>AUCs are those of {@link WindowedBinaryMetrics#auc(boolean)} (unweighted, ties count 1/2),
 * with the Hanley–McNeil standard error of {@link AucStandardError}. Pure and stateless.
 */
public final class KnownAnswerEvaluation {

    /** The number of calibration bins of {@link #evaluate(List)}. */
    public static final int DEFAULT_ECE_BINS = 20;

    private KnownAnswerEvaluation() {}

    /**
     * One evaluated sample.
     *
     * @param category the category key; non-null
     * @param truth the true probability of a positive label, in [0, 1]
     * @param label the observed label
     * @param score the model's score, a probability for calibration to mean anything; finite
     */
    public record Sample(String category, double truth, boolean label, double score) {
        public Sample {
            Objects.requireNonNull(category, "category must not be null");
            if (!(truth >= 0 && truth <= 1)) {
                throw new IllegalArgumentException("truth must lie in [0, 1], was " + truth);
            }
            if (!Double.isFinite(score)) {
                throw new IllegalArgumentException("score must be finite, was " + score);
            }
        }
    }

    /** Category groups by volume. */
    public enum Group {
        HEAD,
        TORSO,
        TAIL
    }

    /**
     * Where the groups split.
     *
     * @param headFraction the share of categories, the most voluminous, in the head; in [0, 1]
     * @param torsoFraction the share of categories after the head in the torso; in [0, 1] with
     *     {@code headFraction + torsoFraction <= 1}
     */
    public record GroupSplit(double headFraction, double torsoFraction) {
        /** Head = top 2% of categories by volume, torso = next 18%, tail = the rest. */
        public static final GroupSplit DEFAULT = new GroupSplit(0.02, 0.18);

        public GroupSplit {
            if (!(headFraction >= 0 && torsoFraction >= 0 && headFraction + torsoFraction <= 1)) {
                throw new IllegalArgumentException(
                        "headFraction and torsoFraction must be non-negative with a sum <= 1, were "
                                + headFraction
                                + " and "
                                + torsoFraction);
            }
        }

        /** The number of head categories out of {@code categories}. */
        public int headCount(int categories) {
            return ceil(headFraction * categories);
        }

        /** The number of head and torso categories together out of {@code categories}. */
        public int headAndTorsoCount(int categories) {
            return Math.max(
                    headCount(categories), ceil((headFraction + torsoFraction) * categories));
        }

        // A product such as 0.02 · 500 may land a rounding error above an integer.
        private static int ceil(double x) {
            return (int) Math.ceil(x - 1e-9);
        }
    }

    /**
     * Metrics of one set of samples (all, or one group's).
     *
     * @param samples the number of samples
     * @param positives samples with a positive label
     * @param categories categories of the set (for a group: all its categories, with or without
     *     samples)
     * @param volumeShare the set's share of the total category volume
     * @param auc the model's AUC; NaN without both labels
     * @param aucStandardError its Hanley–McNeil standard error
     * @param ceilingAuc the AUC of the true probabilities on the same samples
     * @param ceilingStandardError its standard error
     * @param liftCaptured {@code (auc − 0.5) / (ceilingAuc − 0.5)}; NaN when the ceiling's lift is
     *     not positive or undefined
     * @param macroAuc the unweighted mean of the per-category AUCs, over the categories whose
     *     samples have both labels; NaN if none
     * @param macroCeilingAuc the same mean of the per-category ceilings, over the same categories
     * @param macroCategories the number of categories in the macro averages
     * @param meanScore the mean score
     * @param meanTruth the mean true probability
     * @param meanLabel the fraction of positive labels
     * @param ece calibration error against the truth over equal-count score bins (see the class
     *     comment)
     * @param meanAbsoluteError {@code mean |score − truth|}
     */
    public record Result(
            int samples,
            long positives,
            int categories,
            double volumeShare,
            double auc,
            double aucStandardError,
            double ceilingAuc,
            double ceilingStandardError,
            double liftCaptured,
            double macroAuc,
            double macroCeilingAuc,
            int macroCategories,
            double meanScore,
            double meanTruth,
            double meanLabel,
            double ece,
            double meanAbsoluteError) {

        /** {@code auc − 0.5}. */
        public double lift() {
            return auc - 0.5;
        }

        /** {@code ceilingAuc − 0.5}. */
        public double ceilingLift() {
            return ceilingAuc - 0.5;
        }
    }

    /**
     * The evaluation.
     *
     * @param overall all samples
     * @param groups per group, in the order head, torso, tail
     * @param categoryGroups the group of every category of the volume map
     */
    public record Report(
            Result overall, Map<Group, Result> groups, Map<String, Group> categoryGroups) {
        public Report {
            groups = Collections.unmodifiableMap(new EnumMap<>(groups));
            categoryGroups = Collections.unmodifiableMap(new TreeMap<>(categoryGroups));
        }
    }

    /**
     * Evaluates with the category volumes counted from the samples themselves, the default group
     * split and {@link #DEFAULT_ECE_BINS} bins.
     */
    public static Report evaluate(List<Sample> samples) {
        Map<String, Long> volume = new HashMap<>();
        for (Sample s : samples) {
            volume.merge(s.category(), 1L, Long::sum);
        }
        return evaluate(samples, volume, GroupSplit.DEFAULT, DEFAULT_ECE_BINS);
    }

    /**
     * Evaluates {@code samples}.
     *
     * @param samples the samples; at least one
     * @param categoryVolume the volume of every category (e.g. its exposures over the whole
     *     stream), which decides the groups; every sample's category must be in it; volumes
     *     non-negative
     * @param split where the groups split
     * @param eceBins the number of calibration bins; positive
     * @throws IllegalArgumentException if a sample's category has no volume, a volume is negative,
     *     there are no samples, or {@code eceBins <= 0}
     */
    public static Report evaluate(
            List<Sample> samples, Map<String, Long> categoryVolume, GroupSplit split, int eceBins) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to evaluate");
        }
        if (eceBins <= 0) {
            throw new IllegalArgumentException("eceBins must be positive, was " + eceBins);
        }
        Map<String, Group> groupOf = assignGroups(categoryVolume, split);
        Map<Group, List<Sample>> byGroup = new EnumMap<>(Group.class);
        for (Group g : Group.values()) {
            byGroup.put(g, new ArrayList<>());
        }
        for (Sample s : samples) {
            Group g = groupOf.get(s.category());
            if (g == null) {
                throw new IllegalArgumentException(
                        "category '" + s.category() + "' of a sample has no volume");
            }
            byGroup.get(g).add(s);
        }
        double totalVolume = 0;
        Map<Group, Double> groupVolume = new EnumMap<>(Group.class);
        Map<Group, Integer> groupCategories = new EnumMap<>(Group.class);
        for (Map.Entry<String, Long> e : categoryVolume.entrySet()) {
            Group g = groupOf.get(e.getKey());
            totalVolume += e.getValue();
            groupVolume.merge(g, (double) e.getValue(), Double::sum);
            groupCategories.merge(g, 1, Integer::sum);
        }
        Result overall = result(samples, categoryVolume.size(), 1.0, eceBins);
        Map<Group, Result> groups = new LinkedHashMap<>();
        for (Group g : Group.values()) {
            groups.put(
                    g,
                    result(
                            byGroup.get(g),
                            groupCategories.getOrDefault(g, 0),
                            groupVolume.getOrDefault(g, 0.0) / totalVolume,
                            eceBins));
        }
        return new Report(overall, groups, groupOf);
    }

    /**
     * Assigns each category its group: descending volume, ties by key, split by {@code split}.
     *
     * @throws IllegalArgumentException if a volume is negative or null
     */
    public static Map<String, Group> assignGroups(
            Map<String, Long> categoryVolume, GroupSplit split) {
        List<Map.Entry<String, Long>> ranked = new ArrayList<>(categoryVolume.entrySet());
        for (Map.Entry<String, Long> e : ranked) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException(
                        "volume of category '"
                                + e.getKey()
                                + "' must be non-negative, was "
                                + e.getValue());
            }
        }
        ranked.sort(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()));
        int head = split.headCount(ranked.size());
        int headAndTorso = split.headAndTorsoCount(ranked.size());
        Map<String, Group> groups = new HashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            Group g = i < head ? Group.HEAD : i < headAndTorso ? Group.TORSO : Group.TAIL;
            groups.put(ranked.get(i).getKey(), g);
        }
        return groups;
    }

    /** {@code (auc − 0.5) / (ceiling − 0.5)}, NaN when the ceiling's lift is not positive. */
    public static double liftCaptured(double auc, double ceiling) {
        double ceilingLift = ceiling - 0.5;
        return ceilingLift > 0 ? (auc - 0.5) / ceilingLift : Double.NaN;
    }

    private static Result result(List<Sample> samples, int categories, double share, int bins) {
        int n = samples.size();
        double[] scores = new double[n];
        double[] truths = new double[n];
        boolean[] labels = new boolean[n];
        long positives = 0;
        double scoreSum = 0;
        double truthSum = 0;
        double absSum = 0;
        Map<String, List<Sample>> byCategory = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            scores[i] = s.score();
            truths[i] = s.truth();
            labels[i] = s.label();
            positives += s.label() ? 1 : 0;
            scoreSum += s.score();
            truthSum += s.truth();
            absSum += Math.abs(s.score() - s.truth());
            byCategory.computeIfAbsent(s.category(), k -> new ArrayList<>()).add(s);
        }
        double auc = auc(scores, labels);
        double ceiling = auc(truths, labels);
        double macroSum = 0;
        double macroCeilingSum = 0;
        int macroCategories = 0;
        for (List<Sample> c : byCategory.values()) {
            double[] cs = new double[c.size()];
            double[] ct = new double[c.size()];
            boolean[] cl = new boolean[c.size()];
            for (int i = 0; i < cs.length; i++) {
                cs[i] = c.get(i).score();
                ct[i] = c.get(i).truth();
                cl[i] = c.get(i).label();
            }
            double a = auc(cs, cl);
            if (!Double.isNaN(a)) {
                macroSum += a;
                macroCeilingSum += auc(ct, cl);
                macroCategories++;
            }
        }
        long negatives = n - positives;
        return new Result(
                n,
                positives,
                categories,
                share,
                auc,
                AucStandardError.hanleyMcNeil(auc, positives, negatives),
                ceiling,
                AucStandardError.hanleyMcNeil(ceiling, positives, negatives),
                liftCaptured(auc, ceiling),
                macroCategories == 0 ? Double.NaN : macroSum / macroCategories,
                macroCategories == 0 ? Double.NaN : macroCeilingSum / macroCategories,
                macroCategories,
                n == 0 ? Double.NaN : scoreSum / n,
                n == 0 ? Double.NaN : truthSum / n,
                n == 0 ? Double.NaN : positives / (double) n,
                ece(scores, truths, bins),
                n == 0 ? Double.NaN : absSum / n);
    }

    /** The AUC of {@code scores} against {@code labels}, NaN without both labels. */
    static double auc(double[] scores, boolean[] labels) {
        if (scores.length == 0) {
            return Double.NaN;
        }
        WindowedBinaryMetrics m = new WindowedBinaryMetrics(scores.length);
        for (int i = 0; i < scores.length; i++) {
            m.add(scores[i], labels[i]);
        }
        return m.auc(false);
    }

    /**
     * Equal-count-bin calibration error against the truth: bin {@code b} takes the samples whose
     * tie group starts at sorted position {@code p} with {@code floor(p · bins / n) == b}.
     */
    static double ece(double[] scores, double[] truths, int bins) {
        int n = scores.length;
        if (n == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        double[] scoreSum = new double[bins];
        double[] truthSum = new double[bins];
        int i = 0;
        while (i < n) {
            int bin = (int) ((long) i * bins / n);
            double tie = scores[order[i]];
            for (; i < n && scores[order[i]] == tie; i++) {
                scoreSum[bin] += scores[order[i]];
                truthSum[bin] += truths[order[i]];
            }
        }
        // (n_b / n) · |Σ_b s / n_b − Σ_b p / n_b| = |Σ_b s − Σ_b p| / n.
        double gap = 0;
        for (int b = 0; b < bins; b++) {
            gap += Math.abs(scoreSum[b] - truthSum[b]);
        }
        return gap / n;
    }
}
