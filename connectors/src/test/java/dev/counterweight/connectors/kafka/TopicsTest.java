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
import dev.counterweight.connectors.kafka.Topic.Key;
import dev.counterweight.connectors.kafka.Topic.WireFormat;
import dev.counterweight.connectors.kafka.Topics.TopicSpec;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void mapsEveryTopicToItsAvroType() {
        assertThat(Topics.EVENTS.codec().type()).isEqualTo(UserEvent.class);
        assertThat(Topics.WEIGHTED_SAMPLES.codec().type()).isEqualTo(Sample.class);
        assertThat(Topics.CLASS_WEIGHTS.codec().type()).isEqualTo(ClassWeights.class);
        assertThat(Topics.EVENTS_DLQ.codec().type()).isEqualTo(DeadLetter.class);
        assertThat(Topics.MODEL_SNAPSHOTS.codec().type()).isEqualTo(ModelSnapshot.class);
        assertThat(Topics.CLASS_LOSS.codec().type()).isEqualTo(ClassLoss.class);
        assertThat(Topics.LEARNER_DLQ.codec().type()).isEqualTo(DeadLetter.class);
        for (Topic<?> t : Topics.all()) {
            assertThat(t.valueType()).as(t.name()).isEqualTo(t.codec().type());
            assertThat(t.schema()).as(t.name()).isEqualTo(t.codec().schema());
        }
    }

    @Test
    void keepsTheDefaultNames() {
        assertThat(Topics.names())
                .containsExactly(
                        "events",
                        "events-dlq",
                        "weighted-samples",
                        "class-weights",
                        "class-loss",
                        "model-snapshots",
                        "learner-dlq");
        assertThat(Topics.specs(1).stream().map(TopicSpec::name).toList())
                .isEqualTo(Topics.names());
    }

    @Test
    void dataTopicsTakeThePartitionCountOthersHaveOne() {
        assertThat(Topics.specs(3))
                .containsExactly(
                        new TopicSpec("events", 3, false, 7L * 24 * 3600 * 1000),
                        new TopicSpec("events-dlq", 1, false, 28L * 24 * 3600 * 1000),
                        new TopicSpec("weighted-samples", 3, false, 7L * 24 * 3600 * 1000),
                        new TopicSpec("class-weights", 1, true, -1),
                        new TopicSpec("class-loss", 1, false, 7L * 24 * 3600 * 1000),
                        new TopicSpec("model-snapshots", 1, true, -1),
                        new TopicSpec("learner-dlq", 1, false, 28L * 24 * 3600 * 1000));
    }

    @Test
    void everyTopicIsSingleObjectAvroWithAStringKey() {
        for (Topic<?> t : Topics.all()) {
            assertThat(t.wireFormat()).as(t.name()).isEqualTo(WireFormat.AVRO_SINGLE_OBJECT);
        }
        assertThat(Topics.EVENTS.key()).isEqualTo(Key.USER_ID);
        assertThat(Topics.WEIGHTED_SAMPLES.key()).isEqualTo(Key.USER_ID);
        assertThat(Topics.EVENTS_DLQ.key()).isEqualTo(Key.NONE);
        assertThat(Key.USER_ID.decode(Key.USER_ID.encode("ü1"))).isEqualTo("ü1");
        assertThat(Key.USER_ID.encode("ü1")).containsExactly(0xc3, 0xbc, '1');
        assertThat(Key.NONE.encode(null)).isNull();
    }

    @Test
    void findsTopicsByDefaultName() {
        assertThat(Topics.byName("class-loss")).isSameAs(Topics.CLASS_LOSS);
        assertThat(Topics.find("nope")).isEmpty();
    }

    @Test
    void unknownTopicNamesTheAcceptedOnes() {
        assertThatThrownBy(() -> Topics.byName("event"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown topic 'event'. Accepted: events, events-dlq, weighted-samples,"
                                + " class-weights, class-loss, model-snapshots, learner-dlq");
    }

    @Test
    void decodedRecordsPrintAsJson() throws Exception {
        var codec = Topics.EVENTS.codec();
        UserEvent event = TestEvents.impression("u1", "i1").at(1_000);

        String json = codec.decode(codec.encode(event)).toString();

        assertThat(json).startsWith("{").endsWith("}").contains("\"userId\": \"u1\"");
    }
}
