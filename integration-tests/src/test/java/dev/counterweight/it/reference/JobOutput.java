package dev.counterweight.it.reference;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import java.util.List;

/** What the weighting job wrote, read back read_committed, and its check against the reference. */
public record JobOutput(
        List<Sample> samples, List<ClassWeights> tables, List<DeadLetter> deadLetters) {

    public static JobOutput read(String bootstrapServers) {
        return new JobOutput(
                TopicIO.readAll(bootstrapServers, Topics.WEIGHTED_SAMPLES.name(), Sample.class),
                TopicIO.readAll(bootstrapServers, Topics.CLASS_WEIGHTS.name(), ClassWeights.class),
                TopicIO.readAll(bootstrapServers, Topics.EVENTS_DLQ.name(), DeadLetter.class));
    }

    /**
     * The output of a clean input: every expected sample exactly once with the reference labels,
     * every table equal to an offline recomputation, every sample stamped with its table's weight,
     * and no dead letter.
     */
    public void assertExactFor(List<UserEvent> events, SampleWeightingSettings settings) {
        WeightingReference.assertSamplesExactlyOnce(
                samples,
                WeightingReference.expectedSamples(
                        events,
                        settings.attribution().windowMillis(),
                        settings.attribution().correctionHorizonMillis()),
                settings.classKey());
        WeightingReference.assertTablesMatchSamples(
                tables, samples, settings.weighting(), settings.weightHalfLife());
        WeightingReference.assertStampedWeights(samples, tables);
        if (!deadLetters.isEmpty()) {
            throw new AssertionError(
                    deadLetters.size()
                            + " dead letters from a clean input, first: "
                            + deadLetters.get(0));
        }
    }
}
