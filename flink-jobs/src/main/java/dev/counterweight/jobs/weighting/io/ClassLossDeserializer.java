package dev.counterweight.jobs.weighting.io;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the learner's {@link ClassLoss} records. A record that does not decode is logged and
 * skipped: a loss window is advice for the weights, and a bad one must not fail the job.
 */
public final class ClassLossDeserializer implements KafkaRecordDeserializationSchema<ClassLoss> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ClassLossDeserializer.class);

    private final AvroCodec<ClassLoss> codec = Topics.CLASS_LOSS.codec();

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ClassLoss> out) {
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(codec.decode(record.value()));
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "skipping undecodable class-loss record {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
        }
    }

    @Override
    public TypeInformation<ClassLoss> getProducedType() {
        return new AvroTypeInfo<>(ClassLoss.class);
    }
}
