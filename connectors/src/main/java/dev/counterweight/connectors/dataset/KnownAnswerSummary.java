package dev.counterweight.connectors.dataset;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.KnownAnswerGenerator.ExposureTruth;
import dev.counterweight.core.metrics.KnownAnswerEvaluation;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Group;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Report;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Result;
import dev.counterweight.core.metrics.KnownAnswerEvaluation.Sample;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The measured figures of a known-answer stream: click rate, purchase rate among clicks, the share
 * of accidental clicks, the purchase delay, the share of purchases beyond an attribution window,
 * the category volume of the head, torso and tail groups, and the ceiling AUC (the AUC of the true
 * probabilities against the final labels of all exposures) overall, per group and as a macro
 * average, for CTR, CVR (among clicks) and CTCVR.
 *
 * <p>Usage: {@code KnownAnswerSummary [seed [attribution window in minutes]]} (defaults 42 and 30,
 * the weighting job's default {@code attribution.window}), on the default configuration. From the
 * repository root, after {@code mvn -pl connectors -am test-compile}: {@code java -cp
 * core/target/classes:schemas/target/classes:connectors/target/classes:$(cat cp.txt)
 * dev.counterweight.connectors.dataset.KnownAnswerSummary 42}, where {@code cp.txt} comes from
 * {@code mvn -pl connectors dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class KnownAnswerSummary {

    private KnownAnswerSummary() {}

    /** Prints the summary of the default configuration; see the class comment. */
    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        long windowMillis = (args.length > 1 ? Long.parseLong(args[1]) : 30) * 60_000L;
        long started = System.nanoTime();
        KnownAnswerGenerator.Generated g =
                KnownAnswerGenerator.generate(KnownAnswerConfig.defaults(seed));
        double seconds = (System.nanoTime() - started) / 1e9;
        print(g, windowMillis, System.out);
        System.out.printf(Locale.ROOT, "generated in %.1f s%n", seconds);
    }

    /** Writes the summary of {@code g} to {@code out}. */
    public static void print(KnownAnswerGenerator.Generated g, long windowMillis, PrintStream out) {
        Map<String, UserEvent> exposures = new HashMap<>();
        Map<String, Long> clickTime = new HashMap<>();
        Map<String, Long> purchaseTime = new HashMap<>();
        Map<String, Long> categoryVolume = new HashMap<>();
        for (UserEvent e : g.events()) {
            String id = e.getEventId();
            long t = e.getEventTime().toEpochMilli();
            if (e.getType() == EventType.IMPRESSION) {
                exposures.put(id, e);
                categoryVolume.merge(e.getCategoryId(), 1L, Long::sum);
            } else if (e.getType() == EventType.CLICK) {
                clickTime.put(id.substring(0, id.length() - 2), t);
            } else if (e.getType() == EventType.PURCHASE) {
                purchaseTime.put(id.substring(0, id.length() - 2), t);
            }
        }
        long accidental = g.truths().stream().filter(ExposureTruth::accidentalClick).count();
        long beyond = 0;
        double delaySum = 0;
        for (Map.Entry<String, Long> p : purchaseTime.entrySet()) {
            long exposed = exposures.get(p.getKey()).getEventTime().toEpochMilli();
            beyond += p.getValue() > exposed + windowMillis ? 1 : 0;
            delaySum += p.getValue() - clickTime.get(p.getKey());
        }
        int n = exposures.size();
        out.printf(
                Locale.ROOT,
                "seed %d: %,d exposures, %,d clicks (click rate %.4f; %.4f accidental),"
                        + " %,d purchases (%.4f of clicks)%n",
                g.config().seed(),
                n,
                clickTime.size(),
                clickTime.size() / (double) n,
                accidental / (double) clickTime.size(),
                purchaseTime.size(),
                purchaseTime.size() / (double) clickTime.size());
        out.printf(
                Locale.ROOT,
                "purchase delay after the click: mean %.1f min; purchases later than %d min after"
                        + " their exposure: %.4f%n",
                delaySum / purchaseTime.size() / 60_000,
                windowMillis / 60_000,
                beyond / (double) purchaseTime.size());

        List<Sample> ctr = new ArrayList<>();
        List<Sample> cvr = new ArrayList<>();
        List<Sample> ctcvr = new ArrayList<>();
        for (ExposureTruth t : g.truths()) {
            String category = exposures.get(t.eventId()).getCategoryId();
            boolean clicked = clickTime.containsKey(t.eventId());
            boolean bought = purchaseTime.containsKey(t.eventId());
            ctr.add(new Sample(category, t.pClick(), clicked, t.pClick()));
            ctcvr.add(new Sample(category, t.pPurchase(), bought, t.pPurchase()));
            if (clicked) {
                cvr.add(
                        new Sample(
                                category,
                                t.pPurchaseGivenClick(),
                                bought,
                                t.pPurchaseGivenClick()));
            }
        }
        var split = KnownAnswerEvaluation.GroupSplit.DEFAULT;
        Report ctrReport = KnownAnswerEvaluation.evaluate(ctr, categoryVolume, split, 20);
        Set<String> seen = new HashSet<>(categoryVolume.keySet());
        out.printf(
                Locale.ROOT,
                "%d categories seen; volume share (exposures) head/torso/tail: %s%n",
                seen.size(),
                shares(ctrReport));
        printCeiling(out, "CTR", ctrReport);
        printCeiling(out, "CVR", KnownAnswerEvaluation.evaluate(cvr, categoryVolume, split, 20));
        printCeiling(
                out, "CTCVR", KnownAnswerEvaluation.evaluate(ctcvr, categoryVolume, split, 20));
    }

    private static String shares(Report r) {
        return format(r, Result::volumeShare, "%.3f")
                + " ("
                + r.groups().get(Group.HEAD).categories()
                + "/"
                + r.groups().get(Group.TORSO).categories()
                + "/"
                + r.groups().get(Group.TAIL).categories()
                + " categories)";
    }

    private static void printCeiling(PrintStream out, String task, Report r) {
        Result o = r.overall();
        out.printf(
                Locale.ROOT,
                "%s ceiling AUC: overall %.4f ± %.4f (%,d samples, %,d positives), macro %.4f over"
                        + " %d categories; head/torso/tail %s, macro %s; base rate %.4f%n",
                task,
                o.ceilingAuc(),
                o.ceilingStandardError(),
                o.samples(),
                o.positives(),
                o.macroCeilingAuc(),
                o.macroCategories(),
                format(r, Result::ceilingAuc, "%.4f"),
                format(r, Result::macroCeilingAuc, "%.4f"),
                o.meanLabel());
    }

    private static String format(Report r, ToDoubleFunction<Result> metric, String pattern) {
        List<String> parts = new ArrayList<>();
        for (Group g : Group.values()) {
            parts.add(String.format(Locale.ROOT, pattern, metric.applyAsDouble(r.groups().get(g))));
        }
        return String.join("/", parts);
    }
}
