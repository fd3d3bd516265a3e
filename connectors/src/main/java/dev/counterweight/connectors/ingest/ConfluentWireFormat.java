package dev.counterweight.connectors.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The Confluent wire format of a Kafka record value: magic byte {@code 0}, the writer schema's
 * registry id as a 4-byte big-endian int, then the Avro binary body.
 */
public final class ConfluentWireFormat {

    /** The first byte of every value. */
    public static final byte MAGIC = 0;

    /** Bytes before the Avro body. */
    public static final int HEADER_BYTES = 5;

    private ConfluentWireFormat() {}

    /** Whether {@code value} starts with the magic byte and has room for a schema id. */
    public static boolean isFramed(byte[] value) {
        return value != null && value.length >= HEADER_BYTES && value[0] == MAGIC;
    }

    /** The schema id of a framed value (see {@link #isFramed}). */
    public static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    /** Frames an Avro body with the header. */
    public static byte[] frame(int schemaId, byte[] body) {
        return ByteBuffer.allocate(HEADER_BYTES + body.length)
                .put(MAGIC)
                .putInt(schemaId)
                .put(body)
                .array();
    }

    /** Encodes a record with its own schema, framed with {@code schemaId} (producers, tests). */
    public static byte[] encode(int schemaId, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return frame(schemaId, out.toByteArray());
    }
}
