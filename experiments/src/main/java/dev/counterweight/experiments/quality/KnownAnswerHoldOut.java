package dev.counterweight.experiments.quality;

import dev.counterweight.connectors.dataset.KnownAnswerGenerator.ExposureTruth;
import dev.counterweight.core.metrics.KnownAnswerEvaluation;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Group;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Report;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The held-out tail of a known-answer stream joined to its truth.
 *
 * <p>Each exposure of the tail is evaluated once, with its <b>final</b> labels: the tail's ordinary
 * (non-correction) samples, each labelled clicked and purchased if a {@code #correction} sample of
 * the same exposure exists anywhere in the stream (a purchase after the window closed, inside the
 * correction horizon); correction samples themselves are not evaluated (their exposure is, through
 * its window's sample). Late purchases that the correction horizon or the end of the data cut off
 * stay unseen, as they do for the job. The truth is the side file's {@code p(click)} for CTR and
 * {@code p(click)·p(purchase | click)} for CTCVR, joined on the sample id (the exposure's event
 * id).
 *
 * <p>Category groups (head / torso / tail) follow the categories' exposure counts over the whole
 * stream.
 */
public final class KnownAnswerHoldOut {

    /**
     * The evaluation of one model on the tail.
     *
     * @param ctr calibrated CTR scores against p(click) and the final click labels
     * @param ctcvr calibrated CTCVR scores against p(purchase) and the final purchase labels
     * @param ctrRawEce ECE of the raw (uncalibrated) CTR scores against the truth
     * @param ctcvrRawEce the same for CTCVR
     */
    public record Metrics(Report ctr, Report ctcvr, double ctrRawEce, double ctcvrRawEce) {

        /** The CTR result of a category group. */
        public KnownAnswerEvaluation.Result ctr(Group g) {
            return ctr.groups().get(g);
        }
    }

    private final int[] index;
    private final String[] category;
    private final double[] truthCtr;
    private final double[] truthCtcvr;
    private final boolean[] click;
    private final boolean[] ctcvr;
    private final Map<String, Long> volume = new HashMap<>();

    /**
     * @param samples the runner's samples, in its order
     * @param from the first held-out index
     * @param truths the side file's rows
     * @throws IllegalArgumentException if a held-out sample has no truth
     */
    KnownAnswerHoldOut(List<AttributedSample> samples, int from, List<ExposureTruth> truths) {
        Map<String, ExposureTruth> byId = new HashMap<>(truths.size() * 2);
        for (ExposureTruth t : truths) {
            byId.put(t.eventId(), t);
        }
        Set<String> corrected = new HashSet<>();
        for (AttributedSample s : samples) {
            if (s.correction()) {
                corrected.add(exposureId(s.sampleId()));
            } else {
                volume.merge(s.categoryId(), 1L, Long::sum);
            }
        }
        List<Integer> held = new ArrayList<>();
        for (int i = from; i < samples.size(); i++) {
            if (!samples.get(i).correction()) {
                held.add(i);
            }
        }
        int n = held.size();
        index = new int[n];
        category = new String[n];
        truthCtr = new double[n];
        truthCtcvr = new double[n];
        click = new boolean[n];
        ctcvr = new boolean[n];
        for (int k = 0; k < n; k++) {
            AttributedSample s = samples.get(held.get(k));
            ExposureTruth t = byId.get(s.sampleId());
            if (t == null) {
                throw new IllegalArgumentException("no truth for sample " + s.sampleId());
            }
            boolean late = corrected.contains(s.sampleId());
            index[k] = held.get(k);
            category[k] = s.categoryId();
            truthCtr[k] = t.pClick();
            truthCtcvr[k] = t.pPurchase();
            click[k] = s.click() || late;
            ctcvr[k] = (s.click() && s.conversion()) || late;
        }
    }

    /** The exposure's event id of a sample id ({@code #correction} stripped). */
    static String exposureId(String sampleId) {
        int hash = sampleId.indexOf('#');
        return hash < 0 ? sampleId : sampleId.substring(0, hash);
    }

    /** Runner indices of the evaluated samples, in order. */
    int[] indices() {
        return index;
    }

    int size() {
        return index.length;
    }

    long clicks() {
        long c = 0;
        for (boolean b : click) {
            c += b ? 1 : 0;
        }
        return c;
    }

    long purchases() {
        long c = 0;
        for (boolean b : ctcvr) {
            c += b ? 1 : 0;
        }
        return c;
    }

    /**
     * Evaluates scores given per evaluated sample (in {@link #indices()} order).
     *
     * @param ctr calibrated CTR
     * @param ctcvrScore calibrated CTCVR
     * @param rawCtr raw CTR (for the raw ECE)
     * @param rawCtcvr raw CTCVR
     */
    Metrics evaluate(double[] ctr, double[] ctcvrScore, double[] rawCtr, double[] rawCtcvr) {
        List<KnownAnswerEvaluation.Sample> c = new ArrayList<>(index.length);
        List<KnownAnswerEvaluation.Sample> v = new ArrayList<>(index.length);
        List<KnownAnswerEvaluation.Sample> cr = new ArrayList<>(index.length);
        List<KnownAnswerEvaluation.Sample> vr = new ArrayList<>(index.length);
        for (int k = 0; k < index.length; k++) {
            c.add(new KnownAnswerEvaluation.Sample(category[k], truthCtr[k], click[k], ctr[k]));
            v.add(
                    new KnownAnswerEvaluation.Sample(
                            category[k], truthCtcvr[k], ctcvr[k], ctcvrScore[k]));
            cr.add(new KnownAnswerEvaluation.Sample(category[k], truthCtr[k], click[k], rawCtr[k]));
            vr.add(
                    new KnownAnswerEvaluation.Sample(
                            category[k], truthCtcvr[k], ctcvr[k], rawCtcvr[k]));
        }
        var split = KnownAnswerEvaluation.GroupSplit.DEFAULT;
        int bins = KnownAnswerEvaluation.DEFAULT_ECE_BINS;
        Report ctrReport = KnownAnswerEvaluation.evaluate(c, volume, split, bins);
        Report ctcvrReport = KnownAnswerEvaluation.evaluate(v, volume, split, bins);
        double ctrRaw = KnownAnswerEvaluation.evaluate(cr, volume, split, bins).overall().ece();
        double ctcvrRaw = KnownAnswerEvaluation.evaluate(vr, volume, split, bins).overall().ece();
        return new Metrics(ctrReport, ctcvrReport, ctrRaw, ctcvrRaw);
    }
}
