package dev.counterweight.connectors.ingest;

/**
 * Read access to one shop record by field path, whatever its format (JSON object, Avro record, CSV
 * row). A path is a field name, or names joined by dots for nested records ({@code
 * context.page.slot}).
 *
 * <p>Values come back normalised, so the mapping treats every format alike: strings as {@link
 * String}, integral numbers as {@link Long}, other numbers as {@link Double}, booleans as {@link
 * Boolean}, arrays as {@link java.util.List} of normalised values; a missing field, a null value or
 * a path through a non-record is {@code null}. Anything else (bytes, maps) is returned as it is and
 * refused by the mapping as a wrong field type.
 */
public interface FieldAccessor {

    /** The normalised value at {@code path}, or null when it is missing or null. */
    Object get(String path);
}
