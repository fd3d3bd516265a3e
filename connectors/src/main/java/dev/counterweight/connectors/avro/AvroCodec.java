package dev.counterweight.connectors.avro;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Encodes and decodes one generated Avro type in Avro's single-object encoding (2 marker bytes, the
 * 8-byte schema fingerprint, then the binary body): the wire format of every Counterweight topic.
 * Bytes of another schema fail with a message naming the fingerprint, so a wrong-topic producer is
 * caught, not misread. Serializable, so Flink functions can hold one.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecordBase> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type) {
        this.type = type;
    }

    /** A codec for the given generated class. */
    public static <T extends SpecificRecordBase> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    /** The generated class. */
    public Class<T> type() {
        return type;
    }

    /** The writer schema. */
    public Schema schema() {
        return SpecificData.get().getSchema(type);
    }

    /** Encodes a record; never fails for a valid generated record. */
    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * Decodes bytes written by {@link #encode}.
     *
     * @throws IOException with the reason if the bytes are not a record of this type
     */
    public T decode(byte[] bytes) throws IOException {
        if (bytes == null) {
            throw new IOException("null value, expected a " + type.getSimpleName());
        }
        try {
            return decoder().decode(bytes);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            // Avro reports corrupt bodies as runtime exceptions (e.g. bad enum index).
            throw new IOException(
                    "corrupt " + type.getSimpleName() + " body: " + e.getMessage(), e);
        }
    }

    /** A Kafka serializer for this type. */
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : encode(data);
    }

    /** A Kafka deserializer for this type; undecodable bytes throw. */
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            try {
                return data == null ? null : decode(data);
            } catch (IOException e) {
                throw new org.apache.kafka.common.errors.SerializationException(
                        "cannot decode " + type.getSimpleName() + " from " + topic, e);
            }
        };
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(type), schema());
        }
        return decoder;
    }
}
