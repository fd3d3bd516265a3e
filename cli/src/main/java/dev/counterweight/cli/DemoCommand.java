package dev.counterweight.cli;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.ClassWeight;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.offline.OfflineAttribution;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Offline tour of the weighting core on the shared real dataset: attributes labels to exposures
 * with the same rules as the streaming job, counts classes, and prints the weight table of every
 * strategy with its effective sample size.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Attribute labels on the shared Taobao slice (or the synthetic stream if it is"
                        + " absent), count classes, and compare weighting strategies.")
public final class DemoCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);

    @Spec CommandSpec spec;

    @Option(
            names = "--data-dir",
            description =
                    "Folder with the shared datasets (default: $COUNTERWEIGHT_DATA_DIR or"
                            + " ../shared/data).")
    Path dataDir;

    @Option(
            names = "--limit",
            defaultValue = "-1",
            description = "Read at most this many events (-1: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--class-key",
            defaultValue = "LABEL",
            description = "Class key: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    ClassKeyMode classKey;

    @Option(
            names = "--window",
            defaultValue = "PT30M",
            description = "Attribution window (ISO-8601 duration). Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(
            names = "--top",
            defaultValue = "8",
            description = "Classes to list. Default: ${DEFAULT-VALUE}.")
    int top;

    @Override
    public Integer call() {
        PrintStream out =
                spec.commandLine().getOut() == null ? System.out : new PrintStream(System.out);
        if (dataDir != null) {
            System.setProperty(DataSets.DATA_DIR_PROPERTY, dataDir.toString());
        }
        List<UserEvent> events;
        String source;
        var file = DataSets.taobaoFile();
        if (file.isPresent()) {
            events = TaobaoUserBehaviorReader.read(file.get(), limit);
            source = file.get().toString();
        } else {
            LOG.warn(
                    "Shared data folder {} has no {}: using the seeded synthetic generator instead",
                    DataSets.dataDir(),
                    DataSets.TAOBAO_FILE);
            events =
                    SyntheticEventGenerator.generate(
                            SyntheticEventGenerator.Config.defaults(42)
                                    .withExposures(limit < 0 ? 20_000 : limit));
            source = "synthetic generator (seed 42)";
        }
        Map<String, Double> counts =
                classCounts(events, new AttributionRules(window.toMillis(), 0), classKey);
        out.printf("Counterweight demo: %,d events from %s%n", events.size(), source);
        double total = counts.values().stream().mapToDouble(Double::doubleValue).sum();
        out.printf(
                "%,.0f samples in %,d classes (class key %s)%n%n", total, counts.size(), classKey);
        for (WeightingStrategy strategy : WeightingStrategy.values()) {
            WeightTable table = WeightTable.compute(1, counts, WeightingConfig.defaults(strategy));
            out.printf(
                    "%-17s ESS %,10.1f (%5.1f%% of n)  imbalance %,.1f  weights %.3f .. %.3f%n",
                    strategy,
                    table.effectiveSampleSize(),
                    100 * table.effectiveSampleSize() / total,
                    table.imbalanceRatio(),
                    table.entries().values().stream()
                            .mapToDouble(ClassWeight::weight)
                            .min()
                            .orElse(1),
                    table.entries().values().stream()
                            .mapToDouble(ClassWeight::weight)
                            .max()
                            .orElse(1));
        }
        WeightTable inverse =
                WeightTable.compute(
                        1, counts, WeightingConfig.defaults(WeightingStrategy.SQRT_INVERSE));
        out.printf("%nLargest and smallest classes (SQRT_INVERSE weights):%n");
        List<Map.Entry<String, ClassWeight>> sorted = new ArrayList<>(inverse.entries().entrySet());
        sorted.sort(
                Comparator.comparingDouble(
                                (Map.Entry<String, ClassWeight> e) -> -e.getValue().count())
                        .thenComparing(Map.Entry::getKey));
        for (int i = 0; i < sorted.size(); i++) {
            if (i < top || i >= sorted.size() - Math.min(3, top)) {
                var e = sorted.get(i);
                out.printf(
                        "  %-32s count %,9.0f  share %6.2f%%  weight %8.3f%n",
                        e.getKey(),
                        e.getValue().count(),
                        100 * e.getValue().count() / total,
                        e.getValue().weight());
            } else if (i == top) {
                out.printf("  ...%n");
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Samples per class after attributing labels with the job's rules (see {@link
     * OfflineAttribution}).
     */
    static Map<String, Double> classCounts(
            List<UserEvent> events, AttributionRules rules, ClassKeyMode mode) {
        return OfflineAttribution.classCounts(
                OfflineAttribution.attribute(
                        events, OfflineAttribution.Settings.jobDefaults().withRules(rules)),
                mode);
    }
}
