package dev.counterweight.it.reference;

import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Reads topics as a read_committed consumer and compares consumer-group progress with the log. */
public final class TopicIO {

    private TopicIO() {}

    /** Every committed record of {@code topic}, decoded. */
    public static <T extends SpecificRecordBase> List<T> readAll(
            String bootstrapServers, String topic, Class<T> type) {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaTestUtils.readAllCommitted(bootstrapServers, topic, Duration.ofMinutes(2))) {
            try {
                out.add(codec.decode(r.value()));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "undecodable record in "
                                + topic
                                + " at "
                                + r.partition()
                                + "/"
                                + r.offset(),
                        e);
            }
        }
        return out;
    }

    /** Whether {@code group} has committed the end offset of every partition of {@code topic}. */
    public static boolean groupCaughtUp(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> end = endOffsets(admin, topic);
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if (c == null || c.offset() < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The end offset of each partition of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        int partitions =
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(request)
                .all()
                .get(10, TimeUnit.SECONDS)
                .forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }
}
