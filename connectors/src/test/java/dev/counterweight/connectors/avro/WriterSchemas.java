package dev.counterweight.connectors.avro;

import dev.counterweight.avro.released.ReleasedSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Writes records the way a producer with another schema would: in single-object encoding with that
 * writer schema's fingerprint and body. Test-only writer schemas: {@link #testV2} (the current
 * schema plus one optional field, registered by this module's test {@code index.txt}) and {@link
 * #unreleased} (registered nowhere).
 */
public final class WriterSchemas {

    /** Version of the test-only v2 writer schemas in {@code src/test/resources}. */
    public static final String TEST_V2 = "0.2.0-test";

    private WriterSchemas() {}

    /** The released writer schema of a record (e.g. {@code ("ModelSnapshot", "0.1.0")}). */
    public static Schema released(String record, String version) {
        return ReleasedSchemas.of(record).stream()
                .filter(r -> r.version().equals(version))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("no released " + record + "/" + version))
                .schema();
    }

    /** The test-only v2 writer schema of {@code UserEvent} or {@code Sample}. */
    public static Schema testV2(String record) {
        return released(record, TEST_V2);
    }

    /** The field the test-only v2 schema of a record adds. */
    public static String testV2Field(String record) {
        Schema v2 = testV2(record);
        return v2.getFields().get(v2.getFields().size() - 1).name();
    }

    /**
     * A writer schema registered nowhere: {@code base} plus a required string field {@code
     * unreleased}, so its fingerprint is unknown to every codec.
     */
    public static Schema unreleased(Schema base) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : base.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(
                new Schema.Field(
                        "unreleased", Schema.create(Schema.Type.STRING), "not released", "x"));
        return Schema.createRecord(
                base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }

    /**
     * Encodes {@code record} as a producer with schema {@code writer} would: its fields by name,
     * fields the writer adds at their defaults unless {@code set} gives a value.
     */
    public static byte[] encode(Schema writer, SpecificRecordBase record, Map<String, Object> set) {
        try {
            // Current binary body, read as the writer's generic record (Avro resolution fills
            // the added fields' defaults and drops fields the writer lacks).
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(body, null);
            new SpecificDatumWriter<SpecificRecordBase>(record.getSchema()).write(record, enc);
            enc.flush();
            GenericRecord generic =
                    new GenericDatumReader<GenericRecord>(record.getSchema(), writer)
                            .read(
                                    null,
                                    DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
            set.forEach(generic::put);
            ByteBuffer buffer =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer)
                            .encode(generic);
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
