package dev.counterweight.learner.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.CalibrationMap;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SnapshotCalibration;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.sampling.PlattScaling;
import dev.counterweight.core.sampling.Recalibration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationWindowTest {

    // none, click, purchase class weights of the one category.
    private static final double W_NONE = 0.5;
    private static final double W_CLICK = 4.0;
    private static final double W_PURCHASE = 10.0;
    private static final double KEEP = 0.25;

    record Row(Sample sample, double rawCtr, double rawCtcvr) {}

    /**
     * A model that is class-weighted and down-sampled (its odds are the truth's times w+/w− and
     * 1/r) and, on top, too confident: the logit of the true rate is scaled by 1.5 before the
     * weighting. Negatives are kept with rate {@link #KEEP}.
     */
    static List<Row> stream(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double z = -2.5 + random.nextGaussian();
            double ctr = 1 / (1 + Math.exp(-z));
            double ctcvr = 0.2 * ctr;
            double u = random.nextDouble();
            boolean conversion = u < ctcvr;
            boolean click = u < ctr;
            boolean negative = !click;
            if (negative && random.nextDouble() >= KEEP) {
                continue;
            }
            double confident = 1 / (1 + Math.exp(-1.5 * z));
            // Weighted odds: CTR positives weigh about W_CLICK, negatives W_NONE · KEEP; the
            // exact weights matter only through the record, which the reference reads too.
            double rawCtr = odds(confident, W_CLICK / (W_NONE * KEEP));
            double rawCtcvr = odds(0.2 * confident, W_PURCHASE / (W_NONE * KEEP));
            String key = ClassKeyMode.CATEGORY_LABEL.keyOf("7", click, conversion, 0);
            double w = conversion ? W_PURCHASE : click ? W_CLICK : W_NONE;
            Sample s =
                    Sample.newBuilder()
                            .setSampleId("e" + i)
                            .setUserId("u")
                            .setItemId("i")
                            .setCategoryId("7")
                            .setExposureTime(Instant.EPOCH)
                            .setClosedAt(Instant.EPOCH)
                            .setClick(click)
                            .setConversion(conversion)
                            .setClassKey(key)
                            .setFeatures(List.of())
                            .setClassWeight(w)
                            .setSamplingRate(negative ? KEEP : 1.0)
                            .setWeight(w / (negative ? KEEP : 1.0))
                            .build();
            rows.add(new Row(s, rawCtr, rawCtcvr));
        }
        return rows;
    }

    static double odds(double p, double factor) {
        return p * factor / (p * factor + 1 - p);
    }

    static SnapshotCalibration record() {
        return SnapshotCalibration.newBuilder()
                .setClassKeyMode(ClassKeyMode.CATEGORY_LABEL.name())
                .setClassWeights(
                        Map.of(
                                "cat=7|y=none", W_NONE,
                                "cat=7|y=click", W_CLICK,
                                "cat=7|y=purchase", W_PURCHASE))
                .build();
    }

    @Test
    void fitsTheMapsAfterThePriorCorrectionOnTheStreamBeforeDownSampling() {
        List<Row> rows = stream(40_000, 1);
        CalibrationWindow window = new CalibrationWindow(rows.size());
        rows.forEach(r -> window.add(r.sample(), r.rawCtr(), r.rawCtcvr()));
        SnapshotCalibration fitted = window.withMaps(record());

        // Reference: the corrections written out with core's Recalibration, then the same
        // objective fitted on the rows, each negative duplicated 1/KEEP = 4 times instead of
        // weighted.
        List<Double> ctr = new ArrayList<>();
        List<Double> ctcvr = new ArrayList<>();
        List<Boolean> clicks = new ArrayList<>();
        List<Boolean> purchases = new ArrayList<>();
        boolean negativeSeen = false;
        for (Row r : rows) {
            boolean negative = !r.sample().getClick();
            negativeSeen |= negative;
            // A positive takes the keep rate of the newest negative; before the first, none (1).
            double keep = negativeSeen ? KEEP : 1.0;
            double a = Recalibration.recalibrate(r.rawCtr(), keep);
            double b = Recalibration.recalibrate(r.rawCtcvr(), keep);
            Recalibration.TaskProbabilities p =
                    Recalibration.undoLabelClassWeights(a, b, W_NONE, W_CLICK, W_PURCHASE);
            for (int copy = 0; copy < (negative ? 4 : 1); copy++) {
                ctr.add(p.ctr());
                ctcvr.add(Math.min(p.ctr(), p.ctcvr()));
                clicks.add(r.sample().getClick());
                purchases.add(r.sample().getClick() && r.sample().getConversion());
            }
        }
        PlattScaling refCtr = fit(ctr, clicks);
        PlattScaling refCtcvr = fit(ctcvr, purchases);
        assertThat(fitted.getCtrMap().getSlope()).isCloseTo(refCtr.slope(), within(1e-6));
        assertThat(fitted.getCtrMap().getIntercept()).isCloseTo(refCtr.intercept(), within(1e-6));
        assertThat(fitted.getCtcvrMap().getSlope()).isCloseTo(refCtcvr.slope(), within(1e-6));
        assertThat(fitted.getCtcvrMap().getIntercept())
                .isCloseTo(refCtcvr.intercept(), within(1e-6));
        // The model was too confident by a logit factor 1.5; the CTR map undoes about that.
        assertThat(fitted.getCtrMap().getSlope()).isCloseTo(1 / 1.5, within(0.05));
        assertThat(fitted.getCtrMap().getSamples()).isEqualTo(rows.size());

        // The scorer applies the corrections and then the map: what the reference computes.
        ScoreCalibration scorer = ScoreCalibration.of(fitted);
        assertThat(scorer.appliesMaps()).isTrue();
        Row r = rows.get(0);
        double[] out = scorer.calibrate(r.rawCtr(), r.rawCtcvr(), "7", KEEP);
        double a = Recalibration.recalibrate(r.rawCtr(), KEEP);
        double b = Recalibration.recalibrate(r.rawCtcvr(), KEEP);
        Recalibration.TaskProbabilities p =
                Recalibration.undoLabelClassWeights(a, b, W_NONE, W_CLICK, W_PURCHASE);
        assertThat(out[0]).isCloseTo(refCtr.apply(p.ctr()), within(1e-6));
    }

    @Test
    void noMapWithTooFewPositivesAndNoneOnAnOldRecord() {
        List<Row> rows = stream(40_000, 2);
        CalibrationWindow window = new CalibrationWindow(rows.size());
        int purchases = 0;
        for (Row r : rows) {
            boolean purchase = r.sample().getClick() && r.sample().getConversion();
            if (purchase && purchases >= CalibrationWindow.MIN_POSITIVES - 1) {
                continue;
            }
            purchases += purchase ? 1 : 0;
            window.add(r.sample(), r.rawCtr(), r.rawCtcvr());
        }
        SnapshotCalibration fitted = window.withMaps(record());
        assertThat(fitted.getCtrMap()).isNotNull();
        assertThat(fitted.getCtcvrMap()).isNull();
        assertThat(ScoreCalibration.of(record()).appliesMaps()).isFalse();
        assertThat(
                        ScoreCalibration.of(
                                        SnapshotCalibration.newBuilder(record())
                                                .setCtrMap(new CalibrationMap(1.0, 0.0, 0L, 0L))
                                                .build())
                                .appliesMaps())
                .isFalse();
    }

    private static PlattScaling fit(List<Double> p, List<Boolean> y) {
        double[] pp = new double[p.size()];
        boolean[] yy = new boolean[p.size()];
        double[] w = new double[p.size()];
        for (int i = 0; i < pp.length; i++) {
            pp[i] = p.get(i);
            yy[i] = y.get(i);
            w[i] = 1;
        }
        return PlattScaling.fit(pp, yy, w, pp.length, CalibrationWindow.RIDGE);
    }
}
