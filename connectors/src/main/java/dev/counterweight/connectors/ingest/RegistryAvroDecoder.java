package dev.counterweight.connectors.ingest;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads Confluent wire-format Avro (magic byte, schema id, body). Each body is decoded with its own
 * writer schema, fetched from the registry by id and cached; the mapping then reads fields by name.
 * So a new writer schema id, or a schema that adds an optional field, needs nothing from the job: a
 * field the mapping names and the writer's schema lacks is simply missing.
 *
 * <p>No magic byte is {@link IngestRejections#WRONG_SCHEMA}, an id the registry does not know
 * {@link IngestRejections#UNKNOWN_SCHEMA_ID}, a body that does not decode with its schema {@link
 * IngestRejections#UNDECODABLE}. An unreachable registry throws (the job restarts).
 */
public final class RegistryAvroDecoder implements RecordDecoder {

    private static final long serialVersionUID = 1L;

    static {
        // Applies the project's Avro decoding limits (huge claimed lengths must not allocate).
        AvroCodec.of(UserEvent.class);
    }

    private final RegistryConfig config;
    private transient SchemaRegistryClient client;
    private transient Map<Integer, GenericDatumReader<GenericRecord>> readers;
    private transient BinaryDecoder reuse;

    public RegistryAvroDecoder(RegistryConfig config) {
        this.config = config;
    }

    /** The registry this decoder asks. */
    public RegistryConfig config() {
        return config;
    }

    @Override
    public DecodedRecord decode(byte[] value) throws IOException {
        if (!ConfluentWireFormat.isFramed(value)) {
            return DecodedRecord.refused(
                    IngestRejections.WRONG_SCHEMA,
                    "not Confluent wire format: expected magic byte 0 and a 4-byte schema id,"
                            + " got "
                            + value.length
                            + " bytes starting with "
                            + (value.length == 0
                                    ? "nothing"
                                    : "0x" + Integer.toHexString(value[0] & 0xff)));
        }
        int id = ConfluentWireFormat.schemaId(value);
        GenericDatumReader<GenericRecord> reader;
        try {
            reader = reader(id);
        } catch (SchemaRegistryClient.UnknownSchemaIdException e) {
            return DecodedRecord.refused(IngestRejections.UNKNOWN_SCHEMA_ID, e.getMessage());
        }
        try {
            reuse =
                    DecoderFactory.get()
                            .binaryDecoder(
                                    value,
                                    ConfluentWireFormat.HEADER_BYTES,
                                    value.length - ConfluentWireFormat.HEADER_BYTES,
                                    reuse);
            GenericRecord record = reader.read(null, reuse);
            if (!reuse.isEnd()) {
                return DecodedRecord.refused(
                        IngestRejections.UNDECODABLE,
                        "bytes left over after the body of schema id " + id);
            }
            return DecodedRecord.of(new AvroFields(record));
        } catch (IOException | RuntimeException e) {
            // Avro reports corrupt bodies and exceeded limits as either.
            return DecodedRecord.refused(
                    IngestRejections.UNDECODABLE,
                    "cannot decode the body with schema id " + id + ": " + e);
        }
    }

    private GenericDatumReader<GenericRecord> reader(int id)
            throws SchemaRegistryClient.UnknownSchemaIdException,
                    SchemaRegistryClient.RegistryUnavailableException {
        if (readers == null) {
            readers = new ConcurrentHashMap<>();
            client = new SchemaRegistryClient(config);
        }
        GenericDatumReader<GenericRecord> reader = readers.get(id);
        if (reader == null) {
            Schema schema = client.schemaById(id);
            if (schema.getType() != Schema.Type.RECORD) {
                throw new SchemaRegistryClient.UnknownSchemaIdException(
                        "schema id " + id + " is a " + schema.getType() + ", not a record");
            }
            reader = new GenericDatumReader<>(schema);
            readers.put(id, reader);
        }
        return reader;
    }
}
