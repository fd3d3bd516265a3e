package dev.counterweight.connectors.ingest;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;

/**
 * A {@link FieldAccessor} over an Avro {@link GenericRecord} decoded with the writer's schema. A
 * field the writer's schema does not have is missing (null), so a schema that adds or drops an
 * optional field changes nothing for the mapping.
 */
public final class AvroFields implements FieldAccessor {

    private final GenericRecord record;

    public AvroFields(GenericRecord record) {
        this.record = record;
    }

    @Override
    public Object get(String path) {
        Object value = record;
        int start = 0;
        while (true) {
            if (!(value instanceof GenericRecord r)) {
                return null;
            }
            int dot = path.indexOf('.', start);
            String name = dot < 0 ? path.substring(start) : path.substring(start, dot);
            Schema.Field field = r.getSchema().getField(name);
            if (field == null) {
                return null;
            }
            value = r.get(field.pos());
            if (dot < 0) {
                return normalise(value);
            }
            start = dot + 1;
        }
    }

    static Object normalise(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof CharSequence || value instanceof GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(normalise(item));
            }
            return out;
        }
        return value;
    }
}
