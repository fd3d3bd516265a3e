package dev.counterweight.learner.snapshot;

import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SnapshotCalibration;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.DelayedFeedback;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Collects, from the samples a learner trains on, what a snapshot's {@link SnapshotCalibration}
 * records: the newest class weight of every class key (by weight-table version, then arrival), the
 * form of the class keys, and the share of conversions that arrived as delayed-feedback
 * corrections. Synthetic samples count for the class weights (they train with them) but not for the
 * late share. Not thread-safe; confined to the learner's loop.
 */
public final class CalibrationLedger {

    private record Stamp(double weight, long tableVersion) {}

    private final Map<String, Stamp> weights = new HashMap<>();
    private long corrections;
    private long windowConversions;

    /** Records a trained batch. */
    public void observe(List<Sample> samples) {
        for (Sample s : samples) {
            String key = s.getClassKey();
            Stamp old = weights.get(key);
            if (old == null || s.getWeightTableVersion() >= old.tableVersion()) {
                weights.put(key, new Stamp(s.getClassWeight(), s.getWeightTableVersion()));
            }
            if (s.getSynthetic()) {
                continue;
            }
            if (s.getCorrection()) {
                corrections++;
            } else if (s.getConversion()) {
                windowConversions++;
            }
        }
    }

    /**
     * Continues from a snapshot's record after a restart: its class weights become the starting
     * point (newer stamps replace them as samples arrive); the late-share counts start afresh.
     */
    public void restore(SnapshotCalibration previous) {
        if (previous == null) {
            return;
        }
        long version =
                previous.getWeightTableVersions().isEmpty()
                        ? 0
                        : previous.getWeightTableVersions()
                                .get(previous.getWeightTableVersions().size() - 1);
        previous.getClassWeights().forEach((k, w) -> weights.putIfAbsent(k, new Stamp(w, version)));
    }

    /** The share of conversions that arrived as corrections, or null before the first one. */
    public Double observedLateShare() {
        long all = corrections + windowConversions;
        return all == 0 ? null : (double) corrections / all;
    }

    /** The class-key form shared by every recorded key, or null if none or mixed. */
    public ClassKeyMode classKeyMode() {
        ClassKeyMode mode = null;
        for (String key : weights.keySet()) {
            ClassKeyMode m = modeOf(key);
            if (m == null || (mode != null && m != mode)) {
                return null;
            }
            mode = m;
        }
        return mode;
    }

    /** The record for a snapshot trained with these delayed-feedback settings. */
    public SnapshotCalibration calibration(DelayedFeedback feedback, double lateShare) {
        Map<String, Double> classWeights = new TreeMap<>();
        TreeSet<Long> versions = new TreeSet<>();
        weights.forEach(
                (k, s) -> {
                    classWeights.put(k, s.weight());
                    versions.add(s.tableVersion());
                });
        ClassKeyMode mode = classKeyMode();
        return SnapshotCalibration.newBuilder()
                .setDelayedFeedback(feedback.id())
                .setLateShare(feedback == DelayedFeedback.NONE ? 0.0 : lateShare)
                .setObservedLateShare(observedLateShare())
                .setClassKeyMode(mode == null ? null : mode.name())
                .setClassWeights(classWeights)
                .setWeightTableVersions(List.copyOf(versions))
                .build();
    }

    /** The form of one class key as {@link ClassKeyMode#keyOf} writes it, or null. */
    static ClassKeyMode modeOf(String key) {
        if (key.startsWith("cat=")) {
            return key.contains("|y=") ? ClassKeyMode.CATEGORY_LABEL : ClassKeyMode.CATEGORY;
        }
        if (key.startsWith("y=")) {
            return ClassKeyMode.LABEL;
        }
        if (key.startsWith("pop=")) {
            return ClassKeyMode.POPULARITY;
        }
        return null;
    }
}
