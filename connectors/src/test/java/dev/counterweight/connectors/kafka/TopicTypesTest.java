package dev.counterweight.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import org.junit.jupiter.api.Test;

class TopicTypesTest {

    @Test
    void mapsEveryTopicToItsAvroType() {
        assertThat(TopicTypes.codecFor(Topics.EVENTS).type()).isEqualTo(UserEvent.class);
        assertThat(TopicTypes.codecFor(Topics.WEIGHTED_SAMPLES).type()).isEqualTo(Sample.class);
        assertThat(TopicTypes.codecFor(Topics.CLASS_WEIGHTS).type()).isEqualTo(ClassWeights.class);
        assertThat(TopicTypes.codecFor(Topics.EVENTS_DLQ).type()).isEqualTo(DeadLetter.class);
        assertThat(TopicTypes.codecFor(Topics.MODEL_SNAPSHOTS).type())
                .isEqualTo(ModelSnapshot.class);
        assertThat(TopicTypes.codecFor(Topics.CLASS_LOSS).type()).isEqualTo(ClassLoss.class);
        assertThat(TopicTypes.codecFor(Topics.LEARNER_DLQ).type()).isEqualTo(DeadLetter.class);
    }

    @Test
    void coversExactlyTheRegisteredTopicsInRegistryOrder() {
        assertThat(TopicTypes.topics())
                .containsExactlyElementsOf(
                        Topics.all(1).stream().map(Topics.TopicSpec::name).toList());
    }

    @Test
    void unknownTopicNamesTheAcceptedOnes() {
        assertThatThrownBy(() -> TopicTypes.codecFor("event"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown topic 'event'. Accepted: events, events-dlq, weighted-samples,"
                                + " class-weights, class-loss, model-snapshots, learner-dlq");
    }

    @Test
    void typedLookupRejectsTheWrongType() {
        assertThat(TopicTypes.codecFor(Topics.CLASS_LOSS, ClassLoss.class).type())
                .isEqualTo(ClassLoss.class);
        assertThatThrownBy(() -> TopicTypes.codecFor(Topics.EVENTS, Sample.class))
                .hasMessage("topic 'events' carries UserEvent, not Sample");
    }

    @Test
    void decodedRecordsPrintAsJson() throws Exception {
        var codec = TopicTypes.codecFor(Topics.EVENTS, UserEvent.class);
        UserEvent event = TestEvents.impression("u1", "i1").at(1_000);

        String json = codec.decode(codec.encode(event)).toString();

        assertThat(json).startsWith("{").endsWith("}").contains("\"userId\": \"u1\"");
    }
}
