package dev.counterweight.connectors.ingest;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Applies an {@link EventMapping} to one shop record. Pure and stateless: no Kafka, no Flink; the
 * job's source and the CSV replay both call it, and it is tested directly.
 *
 * <p>The event type is read first, so a record of an unmapped type is dropped (or refused) before
 * anything else is looked at. A refused record gets one of the {@link IngestRejections} codes and a
 * reason naming the mapping key and the shop's field. Range checks (finite features, price not
 * negative, id length) are not done here: the job's own validation applies to mapped events as to
 * its own.
 *
 * <p>A derived event id ({@code event-id.from}) is {@code h-} and the first 128 bits, in hex, of
 * the SHA-256 of the listed fields' names and normalised values; a missing value counts as empty.
 * It is stable across replays, formats and JVMs as long as the values are written the same way
 * (JSON {@code 1} and {@code 1.0} differ).
 */
public final class EventMapper implements Serializable {

    private static final long serialVersionUID = 1L;

    private final EventMapping mapping;

    public EventMapper(EventMapping mapping) {
        this.mapping = mapping;
    }

    public EventMapping mapping() {
        return mapping;
    }

    /** Maps one record; never throws for any field values. */
    public MappedEvent map(FieldAccessor r) {
        Object rawType = r.get(mapping.typeField());
        if (rawType == null) {
            return MappedEvent.rejected(
                    IngestRejections.UNKNOWN_EVENT_TYPE,
                    "event-type field '" + mapping.typeField() + "' (field.type) is missing");
        }
        String typeValue = rawType instanceof String s ? s : String.valueOf(rawType);
        EventType type = mapping.typeValues().get(typeValue.trim().toLowerCase(Locale.ROOT));
        if (type == null) {
            String reason =
                    "event type '"
                            + typeValue
                            + "' in field '"
                            + mapping.typeField()
                            + "' is not mapped by any type.* key";
            return mapping.unknownTypes() == UnknownTypePolicy.DROP
                    ? MappedEvent.drop(reason)
                    : MappedEvent.rejected(IngestRejections.UNKNOWN_EVENT_TYPE, reason);
        }
        try {
            UserEvent.Builder b = UserEvent.newBuilder().setType(type);
            b.setUserId(id(r, mapping.userField(), EventMapping.FIELD_USER));
            b.setItemId(id(r, mapping.itemField(), EventMapping.FIELD_ITEM));
            b.setCategoryId(category(r));
            b.setEventTime(Instant.ofEpochMilli(time(r)));
            b.setEventId(
                    mapping.eventIdField() != null
                            ? id(r, mapping.eventIdField(), EventMapping.FIELD_EVENT_ID)
                            : derivedId(r));
            if (mapping.requestField() != null) {
                Object v = r.get(mapping.requestField());
                b.setRequestId(v == null ? null : idValue(v, mapping.requestField()));
            }
            if (mapping.positionField() != null) {
                b.setPosition(position(r.get(mapping.positionField())));
            }
            if (mapping.priceField() != null) {
                b.setPrice(price(r.get(mapping.priceField())));
            }
            b.setFeatures(
                    mapping.featuresField() == null
                            ? List.of()
                            : features(r.get(mapping.featuresField())));
            return MappedEvent.of(b.build());
        } catch (Refused e) {
            return MappedEvent.rejected(e.code, e.getMessage());
        }
    }

    private String category(FieldAccessor r) {
        if (mapping.categoryField() != null) {
            Object v = r.get(mapping.categoryField());
            if (v != null || mapping.categoryDefault() == null) {
                return id(r, mapping.categoryField(), EventMapping.FIELD_CATEGORY);
            }
        }
        return mapping.categoryDefault();
    }

    private static String id(FieldAccessor r, String field, String key) {
        Object v = r.get(field);
        if (v == null) {
            throw new Refused(
                    IngestRejections.MISSING_ID, key + " field '" + field + "' is missing");
        }
        String s = idValue(v, field);
        if (s.isBlank()) {
            throw new Refused(IngestRejections.MISSING_ID, key + " field '" + field + "' is blank");
        }
        return s;
    }

    private static String idValue(Object v, String field) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Long l) {
            return Long.toString(l);
        }
        throw new Refused(
                IngestRejections.BAD_FIELD,
                "field '" + field + "' is " + kind(v) + ", expected a string or an integer");
    }

    private long time(FieldAccessor r) {
        String field = mapping.timeField();
        Object v = r.get(field);
        if (v == null) {
            throw new Refused(
                    IngestRejections.BAD_TIMESTAMP, "time field '" + field + "' is missing");
        }
        try {
            return switch (mapping.timeFormat()) {
                case EPOCH_MILLIS -> epochMillis(v);
                case EPOCH_SECONDS -> epochSeconds(v);
                case ISO_8601 -> iso(v);
            };
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            throw new Refused(
                    IngestRejections.BAD_TIMESTAMP,
                    "time field '"
                            + field
                            + "' value '"
                            + v
                            + "' is not "
                            + mapping.timeFormat().word()
                            + " (time.format)");
        }
    }

    private static long epochMillis(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            return new BigDecimal(d).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        }
        if (v instanceof String s) {
            return new BigDecimal(s.trim()).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        }
        throw new NumberFormatException();
    }

    private static long epochSeconds(Object v) {
        BigDecimal seconds;
        if (v instanceof Long l) {
            seconds = BigDecimal.valueOf(l);
        } else if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            seconds = BigDecimal.valueOf(d);
        } else if (v instanceof String s) {
            seconds = new BigDecimal(s.trim());
        } else {
            throw new NumberFormatException();
        }
        return seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private long iso(Object v) {
        if (!(v instanceof String s)) {
            throw new NumberFormatException();
        }
        String text = s.trim();
        if (text.length() > 10 && text.charAt(10) == ' ') {
            text = text.substring(0, 10) + 'T' + text.substring(11);
        }
        TemporalAccessor t =
                DateTimeFormatter.ISO_DATE_TIME.parseBest(
                        text, ZonedDateTime::from, LocalDateTime::from);
        ZonedDateTime z =
                t instanceof ZonedDateTime zoned
                        ? zoned
                        : ((LocalDateTime) t).atZone(mapping.timeZone());
        return z.toInstant().toEpochMilli();
    }

    private Integer position(Object v) {
        if (v == null) {
            return null;
        }
        try {
            long l = v instanceof String s ? Long.parseLong(s.trim()) : (Long) v;
            return Math.toIntExact(l);
        } catch (ClassCastException | NumberFormatException | ArithmeticException e) {
            throw new Refused(
                    IngestRejections.BAD_FIELD,
                    "position field '"
                            + mapping.positionField()
                            + "' value '"
                            + v
                            + "' is not an integer");
        }
    }

    private Double price(Object v) {
        if (v == null) {
            return null;
        }
        try {
            return v instanceof String s
                    ? Double.parseDouble(s.trim())
                    : ((Number) v).doubleValue();
        } catch (ClassCastException | NumberFormatException e) {
            throw new Refused(
                    IngestRejections.BAD_FIELD,
                    "price field '" + mapping.priceField() + "' value '" + v + "' is not a number");
        }
    }

    private List<Float> features(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            List<Float> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof Number n)) {
                    throw new Refused(
                            IngestRejections.BAD_FIELD,
                            "features field '"
                                    + mapping.featuresField()
                                    + "' holds "
                                    + kind(item)
                                    + ", expected numbers");
                }
                out.add(n.floatValue());
            }
            return out;
        }
        throw new Refused(
                IngestRejections.BAD_FIELD,
                "features field '"
                        + mapping.featuresField()
                        + "' is "
                        + kind(v)
                        + ", expected an array of numbers");
    }

    private String derivedId(FieldAccessor r) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        for (String field : mapping.eventIdFrom()) {
            Object v = r.get(field);
            sha.update(field.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update((v == null ? "" : v.toString()).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 1);
        }
        byte[] digest = sha.digest();
        return "h-" + HexFormat.of().formatHex(digest, 0, 16);
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        if (v instanceof Double) {
            return "a decimal number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a " + v.getClass().getSimpleName();
    }

    /** A refusal on the way through one record; carries its code. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
