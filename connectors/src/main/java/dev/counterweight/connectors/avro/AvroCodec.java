package dev.counterweight.connectors.avro;

import dev.counterweight.avro.released.ReleasedSchemas;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Encodes and decodes one generated Avro type in Avro's single-object encoding (2 marker bytes, the
 * 8-byte schema fingerprint, then the binary body): the wire format of every Counterweight topic.
 * Serializable, so Flink functions can hold one.
 *
 * <p>Schema evolution: records are always written with the current schema, and read with it as the
 * reader schema. A record written with the schema of an earlier release (shipped in the schemas
 * jar, see {@link ReleasedSchemas}) is found by its fingerprint and resolved to the current schema
 * by Avro's schema resolution: fields added since get their defaults. Bytes with any other
 * fingerprint fail with a {@link WrongSchemaException} whose message starts with {@value
 * #UNKNOWN_FINGERPRINT} and the fingerprint in hex, so a wrong-topic producer or a producer of a
 * newer, unreleased schema is caught and dead-lettered, never misread.
 *
 * <p>Decoding is bounded: a few malicious bytes that claim a huge array, map, string or byte field
 * must not make Avro allocate it (an {@link OutOfMemoryError} would fail the job on every replay).
 * Unless the JVM sets them, this class caps Avro's own limits ({@value
 * SystemLimitException#MAX_COLLECTION_LENGTH_PROPERTY}, {@value
 * SystemLimitException#MAX_STRING_LENGTH_PROPERTY}, {@value
 * SystemLimitException#MAX_BYTES_LENGTH_PROPERTY}) at {@value #DEFAULT_MAX_ITEMS} items and {@value
 * #DEFAULT_MAX_BYTES} bytes for the whole JVM.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecordBase> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default cap on the items of one Avro array or map. */
    public static final int DEFAULT_MAX_ITEMS = 1_000_000;

    /** Default cap on one Avro string or bytes value. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

    /** Start of the message for bytes whose writer schema is neither current nor released. */
    public static final String UNKNOWN_FINGERPRINT = "unknown writer schema fingerprint";

    static {
        capAvroLimits();
    }

    /** Thrown for bytes that are not this type's single-object encoding (header or schema). */
    public static final class WrongSchemaException extends IOException {
        private static final long serialVersionUID = 1L;

        WrongSchemaException(String message, Throwable cause) {
            super(message, cause);
        }
    }

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

    /**
     * Every writer schema this codec reads, by fingerprint in hex ({@link #fingerprintHex}): the
     * released versions of this record, oldest first (labelled with their release), then the
     * current schema (labelled {@code current}) if no release has the same fingerprint.
     */
    public Map<String, String> writerSchemas() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ReleasedSchemas.Released r : released()) {
            out.put(fingerprintHex(r.schema()), r.version());
        }
        out.putIfAbsent(fingerprintHex(schema()), "current");
        return out;
    }

    /**
     * A schema's CRC-64-AVRO fingerprint of its parsing canonical form, as the 8 bytes appear in
     * single-object encoding after the 2 marker bytes, in lower-case hex.
     */
    public static String fingerprintHex(Schema schema) {
        return ReleasedSchemas.fingerprintHex(schema);
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
     * @throws IOException with the reason if the bytes are not a record of this type, e.g. {@value
     *     #UNKNOWN_FINGERPRINT} for a writer schema neither current nor released
     * @throws IllegalStateException if the released schemas on the class path are broken (a
     *     released file edited or missing): a build error, never reported as a bad record
     */
    public T decode(byte[] bytes) throws IOException {
        if (bytes == null) {
            throw new IOException("null value, expected a " + type.getSimpleName());
        }
        // Outside the try: a broken set of released schemas is a broken build, not a bad record.
        BinaryMessageDecoder<T> decoder = decoder();
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new WrongSchemaException(
                    "not Avro single-object encoding (" + e.getMessage() + ")", e);
        } catch (MissingSchemaException e) {
            throw new WrongSchemaException(
                    UNKNOWN_FINGERPRINT
                            + " "
                            + HexFormat.of().formatHex(bytes, 2, Math.min(bytes.length, 10))
                            + ": neither the current "
                            + type.getSimpleName()
                            + " schema nor a released one "
                            + releasedVersions(),
                    e);
        } catch (IOException e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw new IOException(
                    "corrupt "
                            + type.getSimpleName()
                            + " body, e.g. an enum symbol or union"
                            + " branch this schema does not know: "
                            + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            // Avro reports corrupt bodies and exceeded limits as runtime exceptions.
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

    private static void capAvroLimits() {
        boolean changed = false;
        changed |=
                setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, DEFAULT_MAX_ITEMS);
        changed |= setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, DEFAULT_MAX_BYTES);
        changed |= setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, DEFAULT_MAX_BYTES);
        if (changed) {
            try {
                // Avro reads the properties once; re-read them (package-private hook).
                Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
                reset.setAccessible(true);
                reset.invoke(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException(
                        "cannot apply Avro decoding limits; set -D"
                                + SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY
                                + " and friends on the JVM",
                        e);
            }
        }
    }

    private static boolean setIfAbsent(String property, int value) {
        if (System.getProperty(property) != null) {
            return false;
        }
        System.setProperty(property, String.valueOf(value));
        return true;
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            BinaryMessageDecoder<T> d =
                    new BinaryMessageDecoder<>(SpecificData.getForClass(type), schema());
            for (ReleasedSchemas.Released r : released()) {
                // Resolved against the current (reader) schema when a record of it arrives.
                d.addSchema(r.schema());
            }
            decoder = d;
        }
        return decoder;
    }

    private List<ReleasedSchemas.Released> released() {
        List<ReleasedSchemas.Released> out = new ArrayList<>();
        for (ReleasedSchemas.Released r : ReleasedSchemas.of(type.getSimpleName())) {
            if (!r.schema().getFullName().equals(schema().getFullName())) {
                throw new IllegalStateException(
                        "released schema "
                                + r.record()
                                + "/"
                                + r.version()
                                + " is "
                                + r.schema().getFullName()
                                + ", not "
                                + schema().getFullName());
            }
            out.add(r);
        }
        return out;
    }

    private List<String> releasedVersions() {
        return released().stream().map(ReleasedSchemas.Released::version).toList();
    }
}
