package dev.counterweight.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Where the training weight of a stream goes: the total weight each class carries, the distribution
 * of per-row weights, the effective sample size over time, the per-class loss trend, and the rows
 * with the highest loss-based importance. Fed one trained row at a time with the model's scores
 * from just before it was trained on (test then train). Mutable, not thread-safe.
 *
 * <p>A row's <em>loss</em> is its unweighted log loss of the CTR and CTCVR tasks together, as the
 * learner's per-class loss is defined; its <em>importance</em> is its weight times that loss, its
 * contribution to the training objective. Its <em>gradient proxy</em> is {@code w·|p − y|} of the
 * CTR task: the magnitude of the gradient of the weighted sigmoid cross-entropy with respect to the
 * CTR head's logit. Synthetic rows (augmentation copies) carry weight, so they count in the class
 * totals, the weight distribution and the effective sample size; they are never evaluated, so they
 * are left out of the losses and the top rows, as the learner leaves them out.
 */
public final class SampleImportance {

    /** Scores are clipped as {@link WindowedBinaryMetrics} clips them for log loss. */
    private static final double EPS = WindowedBinaryMetrics.LOG_LOSS_EPSILON;

    private final int topRows;
    private final int windowRows;

    private final Map<String, double[]> classTotals = new HashMap<>();
    private double[] weights = new double[1024];
    private int rows;

    private double windowSum;
    private double windowSumOfSquares;
    private int windowCount;
    private double totalSum;
    private double totalSumOfSquares;
    private final List<EssPoint> ess = new ArrayList<>();

    private Map<String, double[]> windowLoss = new HashMap<>();
    private final List<Map<String, double[]>> lossWindows = new ArrayList<>();
    private final List<Long> lossWindowEnds = new ArrayList<>();
    private double windowLossSum;
    private long windowLossCount;
    private final List<Double> overallLoss = new ArrayList<>();

    private final PriorityQueue<Row> top =
            // The head is the row to evict first: lowest importance, then the latest row.
            new PriorityQueue<>(
                    Comparator.comparingDouble(Row::importance)
                            .thenComparing(Comparator.comparingLong(Row::position).reversed()));

    /**
     * One trained row of the top list.
     *
     * @param sampleId the sample's id
     * @param classKey its class
     * @param position its position among the trained rows (0-based)
     * @param weight its training weight
     * @param ctrScore the CTR score before it was trained on
     * @param click its CTR label
     * @param ctcvrScore the CTCVR score before it was trained on
     * @param ctcvr its CTCVR label (click and conversion)
     * @param loss unweighted CTR plus CTCVR log loss
     * @param importance {@code weight × loss}
     * @param gradientProxy {@code weight × |ctrScore − click|}
     */
    public record Row(
            String sampleId,
            String classKey,
            long position,
            double weight,
            double ctrScore,
            boolean click,
            double ctcvrScore,
            boolean ctcvr,
            double loss,
            double importance,
            double gradientProxy) {}

    /**
     * The effective sample size after {@code rows} trained rows.
     *
     * @param rows trained rows so far
     * @param windowFraction {@code (Σw)²/Σw²} of the last window of rows, over its row count
     * @param cumulativeFraction the same over every row so far
     */
    public record EssPoint(long rows, double windowFraction, double cumulativeFraction) {}

    /**
     * A class's share of the stream.
     *
     * @param classKey the class
     * @param rows trained rows of the class (synthetic ones included)
     * @param totalWeight the sum of their weights
     */
    public record ClassTotal(String classKey, long rows, double totalWeight) {}

    /**
     * A class's mean loss per window of rows, NaN where it had no evaluated row in the window.
     *
     * @param classKey the class
     * @param meanLoss one value per window, aligned with {@link #lossWindowEnds()}
     */
    public record LossTrend(String classKey, double[] meanLoss) {}

    /**
     * @param topRows how many rows of highest importance to keep; positive
     * @param windowRows rows per window of the ESS and loss series; positive
     * @throws IllegalArgumentException if either is not positive
     */
    public SampleImportance(int topRows, int windowRows) {
        if (topRows <= 0) {
            throw new IllegalArgumentException("topRows must be positive, was " + topRows);
        }
        if (windowRows <= 0) {
            throw new IllegalArgumentException("windowRows must be positive, was " + windowRows);
        }
        this.topRows = topRows;
        this.windowRows = windowRows;
    }

    /**
     * Adds one trained row.
     *
     * @param sampleId the row's sample id
     * @param classKey its class
     * @param weight its training weight; finite and non-negative
     * @param synthetic whether it is an augmentation copy (weight only, no loss)
     * @param ctrScore the model's CTR score before training on it
     * @param click its CTR label
     * @param ctcvrScore the model's CTCVR score before training on it
     * @param ctcvr its CTCVR label
     * @throws IllegalArgumentException if the weight is negative or not finite
     */
    public void add(
            String sampleId,
            String classKey,
            double weight,
            boolean synthetic,
            double ctrScore,
            boolean click,
            double ctcvrScore,
            boolean ctcvr) {
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException(
                    "weight must be finite and non-negative, was " + weight);
        }
        long position = rows;
        double[] total = classTotals.computeIfAbsent(classKey, k -> new double[2]);
        total[0]++;
        total[1] += weight;
        if (rows == weights.length) {
            weights = Arrays.copyOf(weights, rows * 2);
        }
        weights[rows++] = weight;
        windowSum += weight;
        windowSumOfSquares += weight * weight;
        windowCount++;
        totalSum += weight;
        totalSumOfSquares += weight * weight;
        if (!synthetic) {
            double loss = logLoss(ctrScore, click) + logLoss(ctcvrScore, ctcvr);
            double[] l = windowLoss.computeIfAbsent(classKey, k -> new double[2]);
            l[0] += loss;
            l[1]++;
            windowLossSum += loss;
            windowLossCount++;
            double importance = weight * loss;
            // A later row with equal importance never displaces an earlier one.
            if (top.size() < topRows || importance > top.peek().importance()) {
                top.add(
                        new Row(
                                sampleId,
                                classKey,
                                position,
                                weight,
                                ctrScore,
                                click,
                                ctcvrScore,
                                ctcvr,
                                loss,
                                importance,
                                weight * Math.abs(ctrScore - (click ? 1 : 0))));
                if (top.size() > topRows) {
                    top.poll();
                }
            }
        }
        if (windowCount == windowRows) {
            closeWindow();
        }
    }

    /** Closes a partly filled last window, so that the series cover every row added. */
    public void flush() {
        if (windowCount > 0) {
            closeWindow();
        }
    }

    private void closeWindow() {
        ess.add(
                new EssPoint(
                        rows,
                        essFraction(windowSum, windowSumOfSquares, windowCount),
                        essFraction(totalSum, totalSumOfSquares, rows)));
        lossWindows.add(windowLoss);
        lossWindowEnds.add((long) rows);
        overallLoss.add(windowLossCount == 0 ? Double.NaN : windowLossSum / windowLossCount);
        windowLoss = new HashMap<>();
        windowLossSum = 0;
        windowLossCount = 0;
        windowSum = 0;
        windowSumOfSquares = 0;
        windowCount = 0;
    }

    private static double essFraction(double sum, double sumOfSquares, long n) {
        return n == 0 || sumOfSquares == 0 ? 0.0 : sum * sum / sumOfSquares / n;
    }

    /** Log loss of one score, clipped as {@link WindowedBinaryMetrics} clips it. */
    static double logLoss(double score, boolean label) {
        double p = Math.min(1 - EPS, Math.max(EPS, score));
        return label ? -Math.log(p) : -Math.log1p(-p);
    }

    /** Rows added. */
    public long rows() {
        return rows;
    }

    /** Every class, the heaviest (largest total weight) first; ties by key. */
    public List<ClassTotal> classTotals() {
        List<ClassTotal> out = new ArrayList<>(classTotals.size());
        classTotals.forEach((k, v) -> out.add(new ClassTotal(k, (long) v[0], v[1])));
        out.sort(
                Comparator.comparingDouble(ClassTotal::totalWeight)
                        .reversed()
                        .thenComparing(ClassTotal::classKey));
        return out;
    }

    /** The sum of every row's weight. */
    public double totalWeight() {
        return totalSum;
    }

    /**
     * The smallest share of the classes (heaviest first) that carries at least {@code share} of the
     * total weight, as a class count; 0 when nothing was added.
     */
    public int classesCarrying(double share) {
        double need = share * totalSum;
        double acc = 0;
        int n = 0;
        for (ClassTotal c : classTotals()) {
            if (acc >= need && n > 0) {
                break;
            }
            acc += c.totalWeight();
            n++;
        }
        return n;
    }

    /**
     * The {@code q}-quantile of the row weights (nearest rank: the smallest weight with at least
     * {@code q·n} rows at or below it); NaN when empty.
     *
     * @throws IllegalArgumentException if {@code q} is outside [0, 1]
     */
    public double weightQuantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], was " + q);
        }
        if (rows == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(weights, rows);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * rows);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * Counts of row weights in the half-open bins {@code [edges[i], edges[i+1])}; the last bin is
     * closed. Weights outside the edges are not counted.
     *
     * @param edges strictly increasing bin edges, at least two
     */
    public long[] weightHistogram(double[] edges) {
        if (edges.length < 2) {
            throw new IllegalArgumentException("need at least two edges, have " + edges.length);
        }
        for (int i = 1; i < edges.length; i++) {
            if (!(edges[i] > edges[i - 1])) {
                throw new IllegalArgumentException("edges must be strictly increasing");
            }
        }
        long[] counts = new long[edges.length - 1];
        for (int i = 0; i < rows; i++) {
            double w = weights[i];
            if (w < edges[0] || w > edges[edges.length - 1]) {
                continue;
            }
            int bin = Arrays.binarySearch(edges, w);
            // An exact hit on an edge belongs to the bin it opens (or the last, closed bin).
            int idx = bin >= 0 ? Math.min(bin, counts.length - 1) : -bin - 2;
            counts[idx]++;
        }
        return counts;
    }

    /** The effective sample size per window of rows and cumulatively; one point per window. */
    public List<EssPoint> essSeries() {
        return List.copyOf(ess);
    }

    /** Row counts at the end of each closed window of the loss series. */
    public List<Long> lossWindowEnds() {
        return List.copyOf(lossWindowEnds);
    }

    /** Per-window mean loss of each of {@code classes}, in the order given. */
    public List<LossTrend> lossTrend(List<String> classes) {
        List<LossTrend> out = new ArrayList<>(classes.size());
        for (String c : classes) {
            double[] mean = new double[lossWindows.size()];
            for (int w = 0; w < mean.length; w++) {
                double[] l = lossWindows.get(w).get(c);
                mean[w] = l == null ? Double.NaN : l[0] / l[1];
            }
            out.add(new LossTrend(c, mean));
        }
        return out;
    }

    /** Per-window mean loss of every evaluated row (NaN for a window without one). */
    public double[] overallLossTrend() {
        return overallLoss.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Mean loss of every evaluated row per class, over the whole stream (closed windows). */
    public Map<String, Double> meanLoss() {
        Map<String, double[]> acc = new HashMap<>();
        for (Map<String, double[]> w : lossWindows) {
            w.forEach(
                    (k, v) -> {
                        double[] a = acc.computeIfAbsent(k, x -> new double[2]);
                        a[0] += v[0];
                        a[1] += v[1];
                    });
        }
        Map<String, Double> out = new LinkedHashMap<>();
        acc.forEach((k, v) -> out.put(k, v[0] / v[1]));
        return out;
    }

    /** The rows of highest importance, highest first (ties: earlier row first). */
    public List<Row> topRows() {
        List<Row> out = new ArrayList<>(top);
        out.sort(
                Comparator.comparingDouble(Row::importance)
                        .reversed()
                        .thenComparingLong(Row::position));
        return out;
    }
}
