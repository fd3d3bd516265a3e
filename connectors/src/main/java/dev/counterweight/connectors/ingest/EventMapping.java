package dev.counterweight.connectors.ingest;

import dev.counterweight.avro.EventType;
import dev.counterweight.core.config.KeySpace;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A declarative mapping from a shop's own records to {@code UserEvent}: which field holds what, how
 * time is written, and which values of the event-type field mean which action. Read from a Java
 * properties file ({@link #load}) and validated there: a missing required key, a bad value, or an
 * unknown key fails at start with the key's name (an unknown key also names the nearest known one).
 * Applied by {@link EventMapper}.
 *
 * <pre>
 * field.event-id  = id                 # or: event-id.from = user_id, sku, ts, action
 * field.user      = user_id
 * field.item      = sku
 * field.category  = cat                # or: category.default = all
 * field.time      = ts
 * time.format     = iso-8601           # epoch-millis (default), epoch-seconds, iso-8601
 * time.zone       = Europe/Berlin      # for ISO times without offset; default UTC
 * field.type      = action
 * type.impression = view, list_view
 * type.click      = click
 * type.cart       = add_to_cart
 * type.favourite  = wishlist
 * type.purchase   = order
 * type.unknown    = drop               # or dead-letter
 * field.request   = req                # optional: request id, position, price, dense features
 * field.position  = slot
 * field.price     = price
 * field.features  = emb
 * </pre>
 *
 * Field names may be dotted paths into nested records. Event-type values are matched ignoring case
 * and surrounding blanks.
 *
 * @param eventIdField field holding a unique event id; null when derived
 * @param eventIdFrom fields whose values are hashed into a stable event id; empty when read
 * @param categoryField null when every event gets {@code categoryDefault}
 * @param categoryDefault category of events without one (no field, or a missing value); may be null
 * @param typeValues lower-cased shop value -> event type
 */
public record EventMapping(
        String eventIdField,
        List<String> eventIdFrom,
        String userField,
        String itemField,
        String categoryField,
        String categoryDefault,
        String timeField,
        TimeFormat timeFormat,
        ZoneId timeZone,
        String typeField,
        Map<String, EventType> typeValues,
        UnknownTypePolicy unknownTypes,
        String requestField,
        String positionField,
        String priceField,
        String featuresField)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String FIELD_EVENT_ID = "field.event-id";
    public static final String EVENT_ID_FROM = "event-id.from";
    public static final String FIELD_USER = "field.user";
    public static final String FIELD_ITEM = "field.item";
    public static final String FIELD_CATEGORY = "field.category";
    public static final String CATEGORY_DEFAULT = "category.default";
    public static final String FIELD_TIME = "field.time";
    public static final String TIME_FORMAT = "time.format";
    public static final String TIME_ZONE = "time.zone";
    public static final String FIELD_TYPE = "field.type";
    public static final String TYPE_IMPRESSION = "type.impression";
    public static final String TYPE_CLICK = "type.click";
    public static final String TYPE_CART = "type.cart";
    public static final String TYPE_FAVOURITE = "type.favourite";
    public static final String TYPE_PURCHASE = "type.purchase";
    public static final String TYPE_UNKNOWN = "type.unknown";
    public static final String FIELD_REQUEST = "field.request";
    public static final String FIELD_POSITION = "field.position";
    public static final String FIELD_PRICE = "field.price";
    public static final String FIELD_FEATURES = "field.features";

    /** Every key a mapping file may contain. */
    public static final List<String> KEYS =
            List.of(
                    FIELD_EVENT_ID,
                    EVENT_ID_FROM,
                    FIELD_USER,
                    FIELD_ITEM,
                    FIELD_CATEGORY,
                    CATEGORY_DEFAULT,
                    FIELD_TIME,
                    TIME_FORMAT,
                    TIME_ZONE,
                    FIELD_TYPE,
                    TYPE_IMPRESSION,
                    TYPE_CLICK,
                    TYPE_CART,
                    TYPE_FAVOURITE,
                    TYPE_PURCHASE,
                    TYPE_UNKNOWN,
                    FIELD_REQUEST,
                    FIELD_POSITION,
                    FIELD_PRICE,
                    FIELD_FEATURES);

    private static final Map<String, EventType> TYPE_KEYS = typeKeys();

    public EventMapping {
        eventIdFrom = List.copyOf(eventIdFrom);
        typeValues = Collections.unmodifiableMap(new TreeMap<>(typeValues));
    }

    /** Reads and validates a mapping file; errors name the file and the key. */
    public static EventMapping load(Path file) {
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mapping file " + file, e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> entries.put(k, p.getProperty(k)));
        try {
            return of(entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid mapping file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Validates a mapping given as key-value pairs (the entries of a mapping file).
     *
     * @throws IllegalArgumentException naming the key of the first problem
     */
    public static EventMapping of(Map<String, String> entries) {
        List<String> unknown = new ArrayList<>();
        KeySpace keys = KeySpace.of(KEYS, List.of());
        for (String key : new TreeMap<>(entries).keySet()) {
            if (!KEYS.contains(key)) {
                unknown.add(
                        "unknown key '"
                                + key
                                + "' (nearest known key: '"
                                + keys.nearest(key)
                                + "')");
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", unknown));
        }
        Map<String, String> e = new LinkedHashMap<>();
        entries.forEach(
                (k, v) -> {
                    if (v != null && !v.isBlank()) {
                        e.put(k, v.trim());
                    }
                });
        String eventIdField = e.get(FIELD_EVENT_ID);
        List<String> eventIdFrom = list(e.get(EVENT_ID_FROM));
        if (eventIdField == null && eventIdFrom.isEmpty()) {
            throw new IllegalArgumentException(
                    "missing key '"
                            + FIELD_EVENT_ID
                            + "' (the field with a unique event id) or '"
                            + EVENT_ID_FROM
                            + "' (fields whose values are hashed into a stable one)");
        }
        if (eventIdField != null && !eventIdFrom.isEmpty()) {
            throw new IllegalArgumentException(
                    "keys '" + FIELD_EVENT_ID + "' and '" + EVENT_ID_FROM + "' exclude each other");
        }
        String categoryField = e.get(FIELD_CATEGORY);
        String categoryDefault = e.get(CATEGORY_DEFAULT);
        if (categoryField == null && categoryDefault == null) {
            throw new IllegalArgumentException(
                    "missing key '"
                            + FIELD_CATEGORY
                            + "' (the item's category field) or '"
                            + CATEGORY_DEFAULT
                            + "' (one category for all events)");
        }
        TimeFormat timeFormat = TimeFormat.EPOCH_MILLIS;
        if (e.containsKey(TIME_FORMAT)) {
            timeFormat = choice(TIME_FORMAT, e.get(TIME_FORMAT), TimeFormat.values());
        }
        ZoneId zone = ZoneId.of("UTC");
        if (e.containsKey(TIME_ZONE)) {
            try {
                zone = ZoneId.of(e.get(TIME_ZONE));
            } catch (DateTimeException ex) {
                throw new IllegalArgumentException(
                        "invalid value '"
                                + e.get(TIME_ZONE)
                                + "' for key '"
                                + TIME_ZONE
                                + "': expected a zone id such as UTC, +02:00 or Europe/Berlin");
            }
        }
        Map<String, EventType> typeValues = new LinkedHashMap<>();
        Map<String, String> keyOfValue = new LinkedHashMap<>();
        for (Map.Entry<String, EventType> t : TYPE_KEYS.entrySet()) {
            for (String value : list(e.get(t.getKey()))) {
                String v = value.toLowerCase(Locale.ROOT);
                String previous = keyOfValue.put(v, t.getKey());
                if (previous != null) {
                    throw new IllegalArgumentException(
                            "event-type value '"
                                    + value
                                    + "' is mapped by both '"
                                    + previous
                                    + "' and '"
                                    + t.getKey()
                                    + "'");
                }
                typeValues.put(v, t.getValue());
            }
        }
        if (!typeValues.containsValue(EventType.IMPRESSION)) {
            throw new IllegalArgumentException(
                    "missing key '"
                            + TYPE_IMPRESSION
                            + "': the values of '"
                            + FIELD_TYPE
                            + "' that mean an exposure (without exposures there are no samples)");
        }
        UnknownTypePolicy unknownTypes = UnknownTypePolicy.DROP;
        if (e.containsKey(TYPE_UNKNOWN)) {
            unknownTypes = choice(TYPE_UNKNOWN, e.get(TYPE_UNKNOWN), UnknownTypePolicy.values());
        }
        return new EventMapping(
                eventIdField,
                eventIdFrom,
                required(e, FIELD_USER, "the user id field"),
                required(e, FIELD_ITEM, "the item id field"),
                categoryField,
                categoryDefault,
                required(e, FIELD_TIME, "the event time field"),
                timeFormat,
                zone,
                required(e, FIELD_TYPE, "the event type field"),
                typeValues,
                unknownTypes,
                e.get(FIELD_REQUEST),
                e.get(FIELD_POSITION),
                e.get(FIELD_PRICE),
                e.get(FIELD_FEATURES));
    }

    private static String required(Map<String, String> e, String key, String what) {
        String v = e.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing key '" + key + "' (" + what + ")");
        }
        return v;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    private static <E extends Enum<E>> E choice(String key, String value, E[] constants) {
        List<String> words = new ArrayList<>();
        for (E c : constants) {
            words.add(word(c));
        }
        String word = KeySpace.requireChoice(key, value, words);
        return constants[words.indexOf(word)];
    }

    private static String word(Enum<?> c) {
        return c instanceof TimeFormat t ? t.word() : ((UnknownTypePolicy) c).word();
    }

    private static Map<String, EventType> typeKeys() {
        Map<String, EventType> m = new LinkedHashMap<>();
        m.put(TYPE_IMPRESSION, EventType.IMPRESSION);
        m.put(TYPE_CLICK, EventType.CLICK);
        m.put(TYPE_CART, EventType.CART);
        m.put(TYPE_FAVOURITE, EventType.FAV);
        m.put(TYPE_PURCHASE, EventType.PURCHASE);
        return m;
    }
}
