package dev.counterweight.connectors.replay;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.connectors.dataset.KnownAnswerGenerator;
import dev.counterweight.connectors.dataset.KnownAnswerTruthFile;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the events to replay: the shared Taobao slice, the seeded synthetic stream, or the seeded
 * known-answer stream.
 */
public final class DatasetEvents {

    private static final Logger LOG = LoggerFactory.getLogger(DatasetEvents.class);

    /** Which dataset to replay. */
    public enum Source {
        /** The shared Taobao UserBehavior slice ({@link DataSets#taobaoFile()}). */
        TAOBAO,
        /** {@link SyntheticEventGenerator}. */
        SYNTHETIC,
        /**
         * {@link KnownAnswerGenerator}; {@link #load} gives its default configuration with the
         * synthetic seed, {@link #loadKnownAnswer} any configuration and the side file.
         */
        KNOWN_ANSWER
    }

    /**
     * Loaded events and where they came from.
     *
     * @param events sorted by event time
     * @param description e.g. the file path, or {@code synthetic generator (seed 42)}
     */
    public record Loaded(List<UserEvent> events, String description) {}

    private DatasetEvents() {}

    /**
     * Loads at most {@code limit} events ({@code limit < 0}: all). {@link Source#TAOBAO} falls back
     * to the synthetic stream, with one log line, when the shared file is absent.
     */
    public static Loaded load(Source source, int limit, SyntheticEventGenerator.Config synthetic) {
        if (source == Source.KNOWN_ANSWER) {
            return loadKnownAnswer(KnownAnswerConfig.defaults(synthetic.seed()), limit, null);
        }
        if (source == Source.TAOBAO) {
            var file = DataSets.taobaoFile();
            if (file.isPresent()) {
                return new Loaded(
                        TaobaoUserBehaviorReader.read(file.get(), limit), file.get().toString());
            }
            LOG.warn(
                    "Shared data folder {} has no {}: replaying the seeded synthetic stream instead",
                    DataSets.dataDir(),
                    DataSets.TAOBAO_FILE);
        }
        List<UserEvent> events = SyntheticEventGenerator.generate(synthetic);
        if (limit >= 0 && events.size() > limit) {
            events = List.copyOf(events.subList(0, limit));
        }
        return new Loaded(events, "synthetic generator (seed " + synthetic.seed() + ")");
    }

    /**
     * Generates the known-answer stream of {@code config}, keeps its first {@code limit} events
     * ({@code limit < 0}: all) and, if {@code truthFile} is not null, writes the true probabilities
     * of all its exposures there ({@link KnownAnswerTruthFile}).
     *
     * @throws UncheckedIOException if the side file cannot be written
     */
    public static Loaded loadKnownAnswer(KnownAnswerConfig config, int limit, Path truthFile) {
        KnownAnswerGenerator.Generated g = KnownAnswerGenerator.generate(config);
        if (truthFile != null) {
            try {
                KnownAnswerTruthFile.write(truthFile, g.truths());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the truth file " + truthFile, e);
            }
        }
        List<UserEvent> events = g.events();
        if (limit >= 0 && events.size() > limit) {
            events = List.copyOf(events.subList(0, limit));
        }
        return new Loaded(
                events,
                "known-answer generator (seed "
                        + config.seed()
                        + (truthFile == null ? "" : ", truth in " + truthFile)
                        + ")");
    }
}
