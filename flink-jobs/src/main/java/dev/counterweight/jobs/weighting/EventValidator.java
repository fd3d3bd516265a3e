package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.validation.IdCheck;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * Decides whether raw Kafka bytes are a usable {@link UserEvent}; if not, gives a machine code and
 * a human reason for the dead-letter record. Pure logic over Avro types: no Flink state, so it is
 * tested directly.
 */
public final class EventValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Reason codes written to {@code DeadLetter.reasonCode}. */
    public static final String EMPTY_VALUE = "EMPTY_VALUE";

    public static final String OVERSIZED_RECORD = "OVERSIZED_RECORD";
    public static final String WRONG_SCHEMA = "WRONG_SCHEMA";
    public static final String UNDECODABLE = "UNDECODABLE";
    public static final String MISSING_ID = IdCheck.MISSING_ID;
    public static final String OVERSIZED_FIELD = IdCheck.OVERSIZED_FIELD;
    public static final String BAD_TIMESTAMP = "BAD_TIMESTAMP";
    public static final String NON_FINITE_FEATURE = "NON_FINITE_FEATURE";
    public static final String BAD_PRICE = "BAD_PRICE";
    public static final String BAD_POSITION = "BAD_POSITION";
    public static final String LATE_EVENT = "LATE_EVENT";
    public static final String CLICK_WITHOUT_EXPOSURE = "CLICK_WITHOUT_EXPOSURE";
    public static final String PURCHASE_WITHOUT_EXPOSURE = "PURCHASE_WITHOUT_EXPOSURE";

    /**
     * Validation limits.
     *
     * @param minEventTimeMillis earliest accepted event time
     * @param maxFutureMillis how far an event time may lie after its Kafka record timestamp
     * @param maxStringLength longest id string
     * @param maxFeatures most dense features
     * @param maxRecordBytes largest record value
     */
    public record Limits(
            long minEventTimeMillis,
            long maxFutureMillis,
            int maxStringLength,
            int maxFeatures,
            int maxRecordBytes)
            implements Serializable {}

    /** Why a record was refused. */
    public record Rejection(String code, String reason) implements Serializable {}

    /** The outcome: exactly one of {@code event} and {@code rejection} is set. */
    public record Result(UserEvent event, Rejection rejection) {}

    private final Limits limits;
    private final AvroCodec<UserEvent> codec = Topics.EVENTS.codec();

    public EventValidator(Limits limits) {
        this.limits = limits;
    }

    /** The limits this validator applies. */
    public Limits limits() {
        return limits;
    }

    /** Decodes and checks one record value; {@code recordTimestamp} < 0 means unknown. */
    public Result validate(byte[] value, long recordTimestamp) {
        if (value == null || value.length == 0) {
            return reject(EMPTY_VALUE, "record has no value");
        }
        if (value.length > limits.maxRecordBytes()) {
            return reject(
                    OVERSIZED_RECORD,
                    "record value has "
                            + value.length
                            + " bytes, limit "
                            + limits.maxRecordBytes()
                            + " (validation.max-record-bytes)");
        }
        UserEvent event;
        try {
            event = codec.decode(value);
        } catch (AvroCodec.WrongSchemaException e) {
            return reject(WRONG_SCHEMA, "not a UserEvent: " + e.getMessage());
        } catch (IOException e) {
            return reject(UNDECODABLE, "cannot decode UserEvent: " + e.getMessage());
        }
        Rejection rejection = check(event, recordTimestamp);
        return rejection == null ? new Result(event, null) : new Result(null, rejection);
    }

    /** Checks a decoded event; null if it is fine. */
    public Rejection check(UserEvent event, long recordTimestamp) {
        Rejection r = id("eventId", event.getEventId());
        r = r != null ? r : id("userId", event.getUserId());
        r = r != null ? r : id("itemId", event.getItemId());
        r = r != null ? r : id("categoryId", event.getCategoryId());
        if (r != null) {
            return r;
        }
        String request = event.getRequestId();
        if (request != null && request.length() > limits.maxStringLength()) {
            return new Rejection(
                    OVERSIZED_FIELD, "requestId longer than " + limits.maxStringLength());
        }
        long t = event.getEventTime().toEpochMilli();
        if (t < limits.minEventTimeMillis()) {
            return new Rejection(
                    BAD_TIMESTAMP,
                    "eventTime "
                            + event.getEventTime()
                            + " is before validation.min-event-time "
                            + limits.minEventTimeMillis());
        }
        if (recordTimestamp >= 0 && t - recordTimestamp > limits.maxFutureMillis()) {
            return new Rejection(
                    BAD_TIMESTAMP,
                    "eventTime "
                            + event.getEventTime()
                            + " is more than validation.max-future after the record timestamp "
                            + recordTimestamp);
        }
        List<Float> features = event.getFeatures();
        if (features.size() > limits.maxFeatures()) {
            return new Rejection(
                    OVERSIZED_FIELD, features.size() + " features, limit " + limits.maxFeatures());
        }
        for (int i = 0; i < features.size(); i++) {
            Float f = features.get(i);
            if (f == null || !Float.isFinite(f)) {
                return new Rejection(NON_FINITE_FEATURE, "feature " + i + " is " + f);
            }
        }
        Double price = event.getPrice();
        if (price != null && !(price >= 0 && Double.isFinite(price))) {
            return new Rejection(BAD_PRICE, "price " + price + " is negative or not finite");
        }
        Integer position = event.getPosition();
        if (position != null && position < 0) {
            return new Rejection(BAD_POSITION, "position " + position + " is negative");
        }
        return null;
    }

    private Rejection id(String field, String value) {
        IdCheck.Problem p =
                IdCheck.check(
                        field, value, limits.maxStringLength(), "validation.max-string-length");
        return p == null ? null : new Rejection(p.code(), p.reason());
    }

    private static Result reject(String code, String reason) {
        return new Result(null, new Rejection(code, reason));
    }
}
