package dev.counterweight.connectors.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A {@link FieldAccessor} over a parsed JSON object (Jackson, the library Avro already uses). */
public final class JsonFields implements FieldAccessor {

    private final JsonNode root;

    public JsonFields(JsonNode root) {
        this.root = root;
    }

    @Override
    public Object get(String path) {
        JsonNode node = root;
        int start = 0;
        while (node != null) {
            int dot = path.indexOf('.', start);
            String name = dot < 0 ? path.substring(start) : path.substring(start, dot);
            node = node.isObject() ? node.get(name) : null;
            if (dot < 0) {
                return normalise(node);
            }
            start = dot + 1;
        }
        return null;
    }

    static Object normalise(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.doubleValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                out.add(normalise(item));
            }
            return out;
        }
        return node;
    }
}
