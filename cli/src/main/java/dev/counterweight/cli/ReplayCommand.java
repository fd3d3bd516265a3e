package dev.counterweight.cli;

import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.KafkaPreflight;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.connectors.replay.DatasetEvents;
import dev.counterweight.connectors.replay.ProgressBar;
import dev.counterweight.connectors.replay.ReplayPacing;
import dev.counterweight.connectors.replay.Replayer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code replay}: a thin wrapper that loads a dataset and runs a {@link Replayer}. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description =
                "Replay a dataset into a Kafka topic, keyed by user id with the event time as"
                        + " record timestamp (idempotent producer, acks=all), paced in event time.")
public final class ReplayCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

    @Mixin KnownAnswerOptions knownAnswer = new KnownAnswerOptions();

    @Option(names = "--topic", description = "Topic to write to. Default: ${DEFAULT-VALUE}.")
    String topic = Topics.EVENTS.name();

    @Option(
            names = "--source",
            defaultValue = "taobao",
            description =
                    "Dataset: taobao (the shared Taobao UserBehavior slice; falls back to"
                            + " synthetic if it is absent), synthetic, or known_answer (true"
                            + " probabilities known; --ka-* options, side file --ka-truth-file)."
                            + " Default: ${DEFAULT-VALUE}.")
    DatasetEvents.Source source;

    @Option(
            names = "--data-dir",
            description =
                    "Folder with the shared datasets (default: $COUNTERWEIGHT_DATA_DIR or"
                            + " ../shared/data).")
    Path dataDir;

    @Option(
            names = "--limit",
            defaultValue = "-1",
            description = "Replay at most this many events (-1: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--speed-up",
            defaultValue = "0",
            description =
                    "Replay rate over event-time rate (after --compress): 1 = real time, 10 = ten"
                            + " times faster, 0 = as fast as possible. Default: ${DEFAULT-VALUE}.")
    double speedUp;

    @Option(
            names = "--time-shift",
            defaultValue = "now",
            description =
                    "none: keep the dataset's event times (old data may fall out of the topic's"
                            + " 7-day retention); now: move the first event to the wall-clock"
                            + " start, keeping the gaps. Default: ${DEFAULT-VALUE}.")
    ReplayPacing.TimeShift timeShift;

    @Option(
            names = "--compress",
            defaultValue = "1",
            description =
                    "Divide every event-time gap by this factor, e.g. 60 turns a 2-hour dataset"
                            + " into 2 minutes of event time (1 = keep gaps). Default:"
                            + " ${DEFAULT-VALUE}.")
    double compress;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Seed of the synthetic and known-answer generators. Default:"
                            + " ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--exposures",
            defaultValue = "20000",
            description =
                    "Synthetic: exposures to generate (each may add a click and a purchase)."
                            + " Default: ${DEFAULT-VALUE}.")
    int exposures;

    @Option(
            names = "--categories",
            defaultValue = "20",
            description = "Synthetic: number of categories. Default: ${DEFAULT-VALUE}.")
    int categories;

    @Option(
            names = "--zipf",
            defaultValue = "1.1",
            description =
                    "Synthetic: Zipf exponent of category popularity (0 = uniform). Default:"
                            + " ${DEFAULT-VALUE}.")
    double zipf;

    @Option(
            names = "--ctr",
            defaultValue = "0.1",
            description =
                    "Synthetic: click probability of an exposure in the most popular category"
                            + " (tail categories click up to 3x more, capped at 1). Default:"
                            + " ${DEFAULT-VALUE}.")
    double ctr;

    @Option(
            names = "--cvr",
            defaultValue = "0.2",
            description =
                    "Synthetic: purchase probability of a clicked exposure. Default:"
                            + " ${DEFAULT-VALUE}.")
    double cvr;

    @Override
    public Integer call() throws InterruptedException {
        ReplayPacing pacing;
        SyntheticEventGenerator.Config synthetic;
        KnownAnswerConfig known;
        try {
            pacing = new ReplayPacing(speedUp, timeShift, compress);
            synthetic = syntheticConfig();
            known = knownAnswer.config(seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (dataDir != null) {
            System.setProperty(DataSets.DATA_DIR_PROPERTY, dataDir.toString());
        }
        KafkaPreflight.requireTopics(
                kafka.bootstrapServers(),
                "--bootstrap-servers",
                Map.of(topic, "--topic"),
                kafka.properties(),
                Duration.ofSeconds(30));
        DatasetEvents.Loaded loaded =
                source == DatasetEvents.Source.KNOWN_ANSWER
                        ? DatasetEvents.loadKnownAnswer(known, limit, knownAnswer.truthFile())
                        : DatasetEvents.load(source, limit, synthetic);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "Replaying %,d events from %s into '%s' at %s (time shift %s, compress %s,"
                        + " %s)%n",
                loaded.events().size(),
                loaded.description(),
                topic,
                kafka.bootstrapServers(),
                timeShift.name().toLowerCase(Locale.ROOT),
                compress,
                speedUp == 0 ? "as fast as possible" : "speed-up " + speedUp);
        out.flush();
        Replayer.Result result =
                Replayer.replayToKafka(
                        kafka.bootstrapServers(),
                        kafka.properties(),
                        topic,
                        loaded.events(),
                        pacing,
                        ProgressBar.onConsole(spec.commandLine().getErr(), "events"));
        out.printf(
                Locale.ROOT,
                "Replayed %,d events into '%s' in %.1f s (event times %s to %s)%n",
                result.sent(),
                topic,
                result.elapsed().toMillis() / 1000.0,
                result.firstEventTime(),
                result.lastEventTime());
        out.flush();
        return 0;
    }

    private SyntheticEventGenerator.Config syntheticConfig() {
        var d = SyntheticEventGenerator.Config.defaults(seed);
        // The generator lifts tail CTR by tailLift; keep the tail's CTR a probability.
        double tailLift = ctr > 0 ? Math.min(d.tailLift(), Math.nextDown(1 / ctr)) : d.tailLift();
        return new SyntheticEventGenerator.Config(
                seed,
                exposures,
                d.users(),
                d.itemsPerCategory(),
                categories,
                zipf,
                ctr,
                cvr,
                tailLift,
                d.startMillis(),
                d.meanGapMillis(),
                d.maxClickDelayMillis(),
                d.maxPurchaseDelayMillis());
    }
}
