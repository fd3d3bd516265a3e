package dev.counterweight.connectors.ingest;

import java.io.IOException;
import java.io.Serializable;

/**
 * Reads the bytes of one Kafka record value in a shop's format. Bad bytes come back as a refused
 * {@link DecodedRecord}, never as an exception: a bad record must not stop the job. Only a failure
 * that is not the record's fault (the schema registry is unreachable) throws, so the job restarts
 * and reads the record again rather than dead-lettering a good one.
 */
public interface RecordDecoder extends Serializable {

    /**
     * Decodes one non-empty record value.
     *
     * @throws IOException when a service the decoder needs is unavailable
     */
    DecodedRecord decode(byte[] value) throws IOException;
}
