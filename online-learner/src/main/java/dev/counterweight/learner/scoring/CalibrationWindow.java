package dev.counterweight.learner.scoring;

import dev.counterweight.avro.CalibrationMap;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SnapshotCalibration;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.sampling.PlattScaling;
import java.util.HashMap;
import java.util.Map;

/**
 * The learner's side of the fitted calibration maps: keeps the last {@code capacity} evaluated
 * samples with the model's raw pre-training scores (progressive validation), and at snapshot time
 * fits one {@link PlattScaling} map for CTR and one for CTCVR on them, after the corrections the
 * snapshot's record already makes ({@link ScoreCalibration} without maps: down-sampling, prior
 * correction of class weights, delayed feedback), so that the scorer's output with the maps is
 * calibrated on the window.
 *
 * <p>The fit weighs each sample {@code 1 / samplingRate} (the stream before negative down-sampling)
 * and uses its labels as the learner saw them. A sample is corrected for down-sampling with the
 * keep rate a scorer would pass for its class: its own rate for a negative, for a positive the rate
 * of the newest negative of its evaluation group (1 if none). A map needs at least {@link
 * #MIN_POSITIVES} positives and as many negatives in the window; otherwise the snapshot carries
 * none for that task. Mutable and not thread-safe.
 */
public final class CalibrationWindow {

    /** Fewest positives (and negatives) a map is fitted on. */
    public static final int MIN_POSITIVES = 20;

    /** The pull of the fit towards the identity map (see {@link PlattScaling#fit}). */
    public static final double RIDGE = 1.0;

    private final int capacity;
    private final double[] ctr;
    private final double[] ctcvr;
    private final String[] category;
    private final boolean[] click;
    private final boolean[] purchase;
    private final double[] keepRate;
    private final double[] weight;
    private final Map<String, Double> negativeRate = new HashMap<>();
    private int size;
    private int next;

    /**
     * @param capacity the number of most recent samples kept; positive
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public CalibrationWindow(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        ctr = new double[capacity];
        ctcvr = new double[capacity];
        category = new String[capacity];
        click = new boolean[capacity];
        purchase = new boolean[capacity];
        keepRate = new double[capacity];
        weight = new double[capacity];
    }

    /**
     * Adds an evaluated sample with the model's raw scores from before it was trained on.
     *
     * @param s the sample (not synthetic)
     * @param rawCtr the model's CTR output
     * @param rawCtcvr the model's CTCVR output
     */
    public void add(Sample s, double rawCtr, double rawCtcvr) {
        String group = ClassKeyMode.evaluationGroup(s.getClassKey());
        boolean negative = !s.getClick() && !s.getConversion();
        double rate = s.getSamplingRate();
        if (negative) {
            negativeRate.put(group, rate);
        }
        int slot = next;
        next = (next + 1) % capacity;
        size = Math.min(capacity, size + 1);
        ctr[slot] = clamp(rawCtr);
        ctcvr[slot] = clamp(rawCtcvr);
        category[slot] = s.getCategoryId();
        click[slot] = s.getClick();
        purchase[slot] = s.getClick() && s.getConversion();
        keepRate[slot] = negative ? rate : negativeRate.getOrDefault(group, 1.0);
        weight[slot] = 1.0 / rate;
    }

    /** Samples in the window. */
    public int size() {
        return size;
    }

    /**
     * Returns a copy of {@code record} with the CTR and CTCVR maps fitted on the window after the
     * record's own corrections (any maps it already carries are ignored and replaced).
     *
     * @param record the snapshot's calibration record without maps; non-null
     */
    public SnapshotCalibration withMaps(SnapshotCalibration record) {
        SnapshotCalibration base =
                SnapshotCalibration.newBuilder(record).setCtrMap(null).setCtcvrMap(null).build();
        ScoreCalibration corrections = ScoreCalibration.of(base);
        double[] a = new double[size];
        double[] b = new double[size];
        for (int i = 0; i < size; i++) {
            double[] p = corrections.calibrate(ctr[i], ctcvr[i], category[i], keepRate[i]);
            a[i] = p[0];
            b[i] = p[2];
        }
        return SnapshotCalibration.newBuilder(base)
                .setCtrMap(fit(a, click))
                .setCtcvrMap(fit(b, purchase))
                .build();
    }

    private CalibrationMap fit(double[] p, boolean[] label) {
        long positives = 0;
        for (int i = 0; i < size; i++) {
            positives += label[i] ? 1 : 0;
        }
        if (positives < MIN_POSITIVES || size - positives < MIN_POSITIVES) {
            return null;
        }
        PlattScaling m = PlattScaling.fit(p, label, weight, size, RIDGE);
        return CalibrationMap.newBuilder()
                .setSlope(m.slope())
                .setIntercept(m.intercept())
                .setSamples(size)
                .setPositives(positives)
                .build();
    }

    private static double clamp(double p) {
        return Double.isNaN(p) ? 0.0 : Math.max(0.0, Math.min(1.0, p));
    }
}
