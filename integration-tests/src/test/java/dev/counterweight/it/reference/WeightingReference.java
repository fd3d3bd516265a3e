package dev.counterweight.it.reference;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The expected output of {@code SampleWeightingJob}, computed offline from its input, and the
 * checks of the real output against it (the approach of flink-jobs' {@code
 * SampleWeightingJobITCase}, shared by the scenarios here and made linear in the input so it scales
 * to replays of 200k+ events).
 *
 * <p>Inputs must have one exposure per (user, item) pair, so each sample's labels follow from the
 * events of its pair alone.
 */
public final class WeightingReference {

    /** Labels of one expected sample. */
    public record Label(boolean click, boolean conversion, boolean correction) {}

    private static final int SHOWN = 10;

    private WeightingReference() {}

    /**
     * Sample id to labels: a click or purchase within {@code window} of the exposure sets click
     * (and conversion for a purchase); a purchase after the window but within {@code horizon} of
     * its close, on an exposure without conversion, adds a correction sample.
     */
    public static Map<String, Label> expectedSamples(
            Collection<UserEvent> events, long window, long horizon) {
        Map<String, List<UserEvent>> byPair = new HashMap<>();
        for (UserEvent e : events) {
            byPair.computeIfAbsent(e.getUserId() + "/" + e.getItemId(), k -> new ArrayList<>())
                    .add(e);
        }
        Map<String, Label> out = new HashMap<>();
        for (Map.Entry<String, List<UserEvent>> pair : byPair.entrySet()) {
            List<UserEvent> exposures =
                    pair.getValue().stream()
                            .filter(e -> e.getType() == EventType.IMPRESSION)
                            .toList();
            if (exposures.isEmpty()) {
                continue;
            }
            if (exposures.size() > 1) {
                throw new IllegalArgumentException(
                        "the reference needs one exposure per (user, item), "
                                + pair.getKey()
                                + " has "
                                + exposures.size());
            }
            UserEvent exposure = exposures.get(0);
            long t0 = exposure.getEventTime().toEpochMilli();
            boolean click = false;
            boolean conversion = false;
            boolean late = false;
            for (UserEvent e : pair.getValue()) {
                long t = e.getEventTime().toEpochMilli();
                boolean inWindow = t >= t0 && t <= t0 + window;
                boolean inHorizon = t > t0 + window && t <= t0 + window + horizon;
                if (e.getType() == EventType.CLICK && inWindow) {
                    click = true;
                }
                if (e.getType() == EventType.PURCHASE && inWindow) {
                    click = true;
                    conversion = true;
                }
                if (e.getType() == EventType.PURCHASE && inHorizon) {
                    late = true;
                }
            }
            out.put(exposure.getEventId(), new Label(click, conversion, false));
            if (late && !conversion) {
                out.put(exposure.getEventId() + "#correction", new Label(true, true, true));
            }
        }
        return out;
    }

    /**
     * Every expected sample exactly once with the reference labels, nothing else; class keys,
     * feature layout and finiteness as the job promises.
     */
    public static void assertSamplesExactlyOnce(
            List<Sample> samples, Map<String, Label> expected, ClassKeyMode classKey) {
        Map<String, Sample> byId = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (Sample s : samples) {
            if (byId.put(s.getSampleId(), s) != null) {
                duplicates.add(s.getSampleId());
            }
        }
        Set<String> missing = new HashSet<>(expected.keySet());
        missing.removeAll(byId.keySet());
        Set<String> extra = new HashSet<>(byId.keySet());
        extra.removeAll(expected.keySet());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Label> e : expected.entrySet()) {
            Sample s = byId.get(e.getKey());
            if (s == null) {
                continue;
            }
            Label l = e.getValue();
            if (s.getClick() != l.click()
                    || s.getConversion() != l.conversion()
                    || s.getCorrection() != l.correction()) {
                wrong.add(
                        e.getKey()
                                + " has "
                                + s.getClick()
                                + "/"
                                + s.getConversion()
                                + "/"
                                + s.getCorrection()
                                + ", expected "
                                + l);
            } else if (!s.getClassKey()
                    .equals(
                            classKey.keyOf(
                                    s.getCategoryId(), s.getClick(), s.getConversion(), 0))) {
                wrong.add(e.getKey() + " has class " + s.getClassKey());
            } else if (!FeatureLayout.FINGERPRINT.equals(s.getFeatureFingerprint())
                    || s.getFeatures().size() != FeatureLayout.DENSE
                    || !s.getFeatures().stream().allMatch(Float::isFinite)) {
                wrong.add(e.getKey() + " has bad features " + s.getFeatures());
            }
        }
        StringBuilder report = new StringBuilder();
        section(report, "duplicated", duplicates);
        section(report, "missing", missing);
        section(report, "unexpected", extra);
        section(report, "wrong", wrong);
        if (report.length() > 0) {
            throw new AssertionError(
                    "weighted-samples differ from the reference ("
                            + samples.size()
                            + " read, "
                            + expected.size()
                            + " expected):"
                            + report);
        }
    }

    /**
     * Tables: versions 1..n in order; each table's counts equal the decayed count of the samples
     * closed at or before its boundary, and its weights and effective sample size equal {@link
     * WeightTable#compute} on those counts (relative 1e-9).
     */
    public static void assertTablesMatchSamples(
            List<ClassWeights> tables,
            List<Sample> samples,
            WeightingConfig weighting,
            HalfLife halfLife) {
        if (tables.isEmpty()) {
            throw new AssertionError("no class-weights table was published");
        }
        List<Sample> byClose = new ArrayList<>(samples);
        byClose.sort(Comparator.comparingLong(s -> s.getClosedAt().toEpochMilli()));
        Map<String, Double> counts = new TreeMap<>();
        int next = 0;
        long previous = Long.MIN_VALUE;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            ClassWeights table = tables.get(i);
            if (table.getVersion() != i + 1L) {
                throw new AssertionError(
                        "table "
                                + i
                                + " has version "
                                + table.getVersion()
                                + ", expected "
                                + (i + 1));
            }
            long boundary = table.getComputedAt().toEpochMilli();
            if (boundary < previous) {
                throw new AssertionError("table v" + table.getVersion() + " goes back in time");
            }
            if (previous != Long.MIN_VALUE && boundary > previous) {
                double f = Math.pow(2, -(boundary - previous) / (double) halfLife.millis());
                counts.replaceAll((k, v) -> v * f);
            }
            while (next < byClose.size()
                    && byClose.get(next).getClosedAt().toEpochMilli() <= boundary) {
                Sample s = byClose.get(next++);
                long closed = s.getClosedAt().toEpochMilli();
                counts.merge(
                        s.getClassKey(),
                        Math.pow(2, -(boundary - closed) / (double) halfLife.millis()),
                        Double::sum);
            }
            previous = boundary;
            WeightTable reference = WeightTable.compute(table.getVersion(), counts, weighting);
            if (table.getClasses().size() != counts.size()) {
                wrong.add(
                        "v"
                                + table.getVersion()
                                + " has "
                                + table.getClasses().size()
                                + " classes, expected "
                                + counts.size());
                continue;
            }
            for (ClassWeight c : table.getClasses()) {
                Double n = counts.get(c.getClassKey());
                if (n == null || !close(c.getCount(), n)) {
                    wrong.add(
                            "v"
                                    + table.getVersion()
                                    + " count of "
                                    + c.getClassKey()
                                    + " is "
                                    + c.getCount()
                                    + ", expected "
                                    + n);
                } else if (!close(c.getWeight(), reference.weightOf(c.getClassKey()))) {
                    wrong.add(
                            "v"
                                    + table.getVersion()
                                    + " weight of "
                                    + c.getClassKey()
                                    + " is "
                                    + c.getWeight()
                                    + ", expected "
                                    + reference.weightOf(c.getClassKey()));
                }
            }
            if (!close(table.getEffectiveSampleSize(), reference.effectiveSampleSize())) {
                wrong.add(
                        "v"
                                + table.getVersion()
                                + " effective sample size "
                                + table.getEffectiveSampleSize()
                                + ", expected "
                                + reference.effectiveSampleSize());
            }
        }
        if (!wrong.isEmpty()) {
            StringBuilder report = new StringBuilder();
            section(report, "wrong", wrong);
            throw new AssertionError(
                    tables.size()
                            + " class-weights tables differ from the offline recomputation:"
                            + report);
        }
    }

    /** Each sample carries the weight of its class in the table that stamped it (1 before any). */
    public static void assertStampedWeights(List<Sample> samples, List<ClassWeights> tables) {
        Map<Long, Map<String, Double>> weightsByVersion = new HashMap<>();
        Map<Long, Double> fallback = new HashMap<>();
        for (ClassWeights t : tables) {
            Map<String, Double> w = new HashMap<>();
            t.getClasses().forEach(c -> w.put(c.getClassKey(), c.getWeight()));
            weightsByVersion.put(t.getVersion(), w);
            fallback.put(t.getVersion(), t.getFallbackWeight());
        }
        List<String> wrong = new ArrayList<>();
        long stamped = 0;
        for (Sample s : samples) {
            double expected = 1.0;
            long v = s.getWeightTableVersion();
            if (v > 0) {
                stamped++;
                Map<String, Double> w = weightsByVersion.get(v);
                if (w == null) {
                    wrong.add(s.getSampleId() + " stamped by unknown table v" + v);
                    continue;
                }
                expected = w.getOrDefault(s.getClassKey(), fallback.get(v));
            }
            if (s.getClassWeight() != expected
                    || s.getWeight() != expected
                    || s.getSamplingRate() != 1.0) {
                wrong.add(
                        s.getSampleId()
                                + " weight "
                                + s.getWeight()
                                + "/"
                                + s.getClassWeight()
                                + " rate "
                                + s.getSamplingRate()
                                + ", expected "
                                + expected);
            }
        }
        if (!wrong.isEmpty()) {
            StringBuilder report = new StringBuilder();
            section(report, "wrong", wrong);
            throw new AssertionError("stamped weights differ from their tables:" + report);
        }
        if (stamped <= samples.size() / 2) {
            throw new AssertionError(
                    "only "
                            + stamped
                            + " of "
                            + samples.size()
                            + " samples were stamped by a table");
        }
    }

    private static boolean close(double actual, double expected) {
        return Math.abs(actual - expected) <= Math.abs(expected) * 1e-9;
    }

    private static void section(StringBuilder report, String what, Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<String> shown = ids.stream().sorted().limit(SHOWN).toList();
        report.append("\n  ")
                .append(ids.size())
                .append(' ')
                .append(what)
                .append(", e.g. ")
                .append(shown);
    }
}
