package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.SampleWeightingOptions.EVENTS_FORMAT;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.EVENTS_MAPPING;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_BASIC_AUTH_USER_INFO;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_KEYSTORE_LOCATION;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_KEYSTORE_PASSWORD;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_KEYSTORE_TYPE;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_TIMEOUT;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_TRUSTSTORE_LOCATION;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_TRUSTSTORE_PASSWORD;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_TRUSTSTORE_TYPE;
import static dev.counterweight.jobs.weighting.SampleWeightingOptions.REGISTRY_URL;

import dev.counterweight.connectors.ingest.EventMapper;
import dev.counterweight.connectors.ingest.EventMapping;
import dev.counterweight.connectors.ingest.EventsFormat;
import dev.counterweight.connectors.ingest.JsonRecordDecoder;
import dev.counterweight.connectors.ingest.RecordDecoder;
import dev.counterweight.connectors.ingest.RegistryAvroDecoder;
import dev.counterweight.connectors.ingest.RegistryConfig;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.io.IngestedEventDeserializer;
import dev.counterweight.jobs.weighting.io.MappedEventDeserializer;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;

/**
 * How the job reads its events topic: the format, and for a shop's own records the mapping (read
 * and validated at start) and the schema registry. Its {@code toString} masks the registry's
 * secrets.
 *
 * @param mapping null for {@link EventsFormat#AVRO_SINGLE_OBJECT}
 * @param registry null unless {@link EventsFormat#AVRO_REGISTRY}
 */
public record IngestSettings(EventsFormat format, EventMapping mapping, RegistryConfig registry)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Today's format: Counterweight's own events. */
    public static final IngestSettings OWN_EVENTS =
            new IngestSettings(EventsFormat.AVRO_SINGLE_OBJECT, null, null);

    /** Reads and validates the {@code events.*} and {@code registry.*} options, naming the key. */
    public static IngestSettings from(Configuration config) {
        EventsFormat format = EventsFormat.parse(EVENTS_FORMAT.key(), config.get(EVENTS_FORMAT));
        String mappingFile = config.get(EVENTS_MAPPING);
        if (!format.mapped()) {
            if (mappingFile != null) {
                throw new IllegalArgumentException(
                        "Option '"
                                + EVENTS_MAPPING.key()
                                + "' is set but '"
                                + EVENTS_FORMAT.key()
                                + "' is "
                                + format.word()
                                + ", which is not mapped; set "
                                + EVENTS_FORMAT.key()
                                + " to json or avro-registry, or remove the mapping");
            }
            return OWN_EVENTS;
        }
        if (mappingFile == null || mappingFile.isBlank()) {
            throw new IllegalArgumentException(
                    "Missing required option '"
                            + EVENTS_MAPPING.key()
                            + "' for "
                            + EVENTS_FORMAT.key()
                            + " "
                            + format.word()
                            + ": "
                            + EVENTS_MAPPING.description());
        }
        Path file = Path.of(mappingFile);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + mappingFile
                            + "' for option '"
                            + EVENTS_MAPPING.key()
                            + "': no such file");
        }
        EventMapping mapping;
        try {
            mapping = EventMapping.load(file);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Invalid option '" + EVENTS_MAPPING.key() + "': " + e.getMessage(), e);
        }
        RegistryConfig registry = null;
        if (format == EventsFormat.AVRO_REGISTRY) {
            String url = config.get(REGISTRY_URL);
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException(
                        "Missing required option '"
                                + REGISTRY_URL.key()
                                + "' for "
                                + EVENTS_FORMAT.key()
                                + " avro-registry: "
                                + REGISTRY_URL.description());
            }
            try {
                registry =
                        new RegistryConfig(
                                url,
                                config.get(REGISTRY_BASIC_AUTH_USER_INFO),
                                existingFile(
                                        config.get(REGISTRY_TRUSTSTORE_LOCATION),
                                        REGISTRY_TRUSTSTORE_LOCATION.key()),
                                config.get(REGISTRY_TRUSTSTORE_PASSWORD),
                                config.get(REGISTRY_TRUSTSTORE_TYPE),
                                existingFile(
                                        config.get(REGISTRY_KEYSTORE_LOCATION),
                                        REGISTRY_KEYSTORE_LOCATION.key()),
                                config.get(REGISTRY_KEYSTORE_PASSWORD),
                                config.get(REGISTRY_KEYSTORE_TYPE),
                                config.get(REGISTRY_TIMEOUT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Invalid registry option ("
                                + REGISTRY_URL.key()
                                + ", "
                                + REGISTRY_BASIC_AUTH_USER_INFO.key()
                                + ", "
                                + REGISTRY_TIMEOUT.key()
                                + "): "
                                + e.getMessage(),
                        e);
            }
        }
        return new IngestSettings(format, mapping, registry);
    }

    private static String existingFile(String location, String key) {
        if (location != null && !Files.isRegularFile(Path.of(location))) {
            throw new IllegalArgumentException(
                    "Invalid value '" + location + "' for option '" + key + "': no such file");
        }
        return location;
    }

    /** The Kafka deserializer of this format, with the job's validation. */
    public KafkaRecordDeserializationSchema<IngestedEvent> deserializer(EventValidator validator) {
        RecordDecoder decoder =
                switch (format) {
                    case AVRO_SINGLE_OBJECT -> null;
                    case JSON -> new JsonRecordDecoder();
                    case AVRO_REGISTRY -> new RegistryAvroDecoder(registry);
                };
        return decoder == null
                ? new IngestedEventDeserializer(validator)
                : new MappedEventDeserializer(decoder, new EventMapper(mapping), validator);
    }
}
