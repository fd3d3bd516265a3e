package dev.counterweight.connectors.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reads a record value that is one JSON object (UTF-8), with the Jackson that Avro already brings
 * (no second JSON library). Anything but an object is {@link IngestRejections#WRONG_SCHEMA}; text
 * that does not parse is {@link IngestRejections#UNDECODABLE}.
 */
public final class JsonRecordDecoder implements RecordDecoder {

    private static final long serialVersionUID = 1L;

    private transient ObjectMapper json;

    @Override
    public DecodedRecord decode(byte[] value) {
        if (json == null) {
            json = new ObjectMapper();
        }
        JsonNode node;
        try {
            node = json.readTree(value);
        } catch (JsonProcessingException e) {
            return DecodedRecord.refused(
                    IngestRejections.UNDECODABLE,
                    "not JSON: " + e.getOriginalMessage().replace('\n', ' '));
        } catch (IOException e) {
            return DecodedRecord.refused(IngestRejections.UNDECODABLE, "not JSON: " + e);
        }
        if (node == null || !node.isObject()) {
            return DecodedRecord.refused(
                    IngestRejections.WRONG_SCHEMA,
                    "JSON value is "
                            + (node == null ? "empty" : node.getNodeType().name().toLowerCase())
                            + ", expected an object");
        }
        return DecodedRecord.of(new JsonFields(node));
    }
}
