package dev.counterweight.bench;

import dev.counterweight.avro.UserEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The peer of the weighting job in {@code bench pipeline}: what a Flink user would write in the
 * Table API over the same decoded stream. The decoded, validated events (the same Kafka source,
 * deserializer and watermarks as the weighting job, so decoding costs the same) become a table via
 * {@code fromDataStream} with the source's timestamps and watermarks as its row time, and two
 * queries run on it:
 *
 * <ul>
 *   <li>an event-time interval join of exposures with the clicks and purchases of the same user and
 *       item inside the attribution window, one row per exposure–action pair (append-only);
 *   <li>event counts per category and event type per 1-minute tumbling window (window TVF).
 * </ul>
 *
 * Both are written to Kafka by exactly-once sinks. It does less than the weighting job: no
 * negatives, corrections, features, class weights or weight stamping.
 */
public final class TablePeerJob {

    private TablePeerJob() {}

    /** Names of the table's columns; {@code rowtime} is added from the stream's timestamps. */
    static final String[] COLUMNS = {"user_id", "item_id", "category_id", "type", "ts_ms"};

    /**
     * Adds the peer to the environment of {@code decoded}.
     *
     * @param decoded the valid events, with event-time timestamps and watermarks
     * @param window attribution window of the interval join
     * @param bootstrap Kafka bootstrap servers
     * @param pairsTopic topic of the exposure–action pairs
     * @param countsTopic topic of the per-minute counts
     * @param transactionalIdPrefix prefix of both sinks' transactional ids
     * @param transactionTimeout Kafka transaction timeout of both sinks
     */
    static void build(
            DataStream<UserEvent> decoded,
            Duration window,
            String bootstrap,
            String pairsTopic,
            String countsTopic,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        DataStream<Row> rows =
                decoded.map(
                                e ->
                                        Row.of(
                                                e.getUserId(),
                                                e.getItemId(),
                                                e.getCategoryId(),
                                                e.getType().name(),
                                                e.getEventTime().toEpochMilli()))
                        .returns(
                                Types.ROW_NAMED(
                                        COLUMNS,
                                        Types.STRING,
                                        Types.STRING,
                                        Types.STRING,
                                        Types.STRING,
                                        Types.LONG))
                        .name("To rows");
        StreamTableEnvironment tables =
                StreamTableEnvironment.create(rows.getExecutionEnvironment());
        Table events =
                tables.fromDataStream(
                        rows,
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark("rowtime", "SOURCE_WATERMARK()")
                                .build());
        tables.createTemporaryView("events", events);
        Table pairs =
                tables.sqlQuery(
                        "SELECT e.user_id, e.item_id, e.category_id, e.ts_ms AS exposure_ms,"
                                + " a.type AS action, a.ts_ms AS action_ms"
                                + " FROM events e JOIN events a"
                                + " ON e.user_id = a.user_id AND e.item_id = a.item_id"
                                + " AND a.rowtime BETWEEN e.rowtime AND e.rowtime + INTERVAL '"
                                + dayToSecond(window)
                                + "' DAY TO SECOND(3)"
                                + " WHERE e.type = 'IMPRESSION' AND a.type IN ('CLICK', 'PURCHASE')");
        Table counts =
                tables.sqlQuery(
                        "SELECT category_id, type, window_start, window_end, COUNT(*) AS n"
                                + " FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime),"
                                + " INTERVAL '1' MINUTE))"
                                + " GROUP BY category_id, type, window_start, window_end");
        tables.toDataStream(pairs)
                .sinkTo(
                        sink(
                                bootstrap,
                                pairsTopic,
                                transactionalIdPrefix + "-pairs",
                                transactionTimeout))
                .name("peer-pairs");
        tables.toDataStream(counts)
                .sinkTo(
                        sink(
                                bootstrap,
                                countsTopic,
                                transactionalIdPrefix + "-counts",
                                transactionTimeout))
                .name("peer-counts");
    }

    private static KafkaSink<Row> sink(
            String bootstrap, String topic, String transactionalIdPrefix, Duration timeout) {
        return KafkaSink.<Row>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new RowText(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", String.valueOf(timeout.toMillis()))
                .build();
    }

    /** A row as comma-separated text, keyed by its first field. */
    static final class RowText implements KafkaRecordSerializationSchema<Row> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        RowText(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                Row row, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    String.valueOf(row.getField(0)).getBytes(StandardCharsets.UTF_8),
                    text(row).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A duration as a SQL day-to-second interval literal, {@code D HH:MM:SS.fff}. */
    static String dayToSecond(Duration d) {
        long ms = d.toMillis();
        return String.format(
                java.util.Locale.ROOT,
                "%d %02d:%02d:%02d.%03d",
                ms / 86_400_000,
                ms / 3_600_000 % 24,
                ms / 60_000 % 60,
                ms / 1000 % 60,
                ms % 1000);
    }

    /** The fields of a row joined by commas. */
    static String text(Row row) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < row.getArity(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(row.getField(i));
        }
        return b.toString();
    }
}
