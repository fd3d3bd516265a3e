package dev.counterweight.deploy.manifests;

import java.util.List;
import java.util.Map;

/**
 * A small structural check of a document against a Kubernetes CRD openAPIV3Schema: types, known
 * properties, required fields (for complete documents, not patches) and enums. Enough to catch a
 * misspelt or misplaced field; not a full OpenAPI validator.
 */
final class SchemaCheck {

    /**
     * The CRD found on Maven Central (operator-api 1.10.0) lists flinkVersion up to v1_20; Flink
     * 2.x needs a newer operator whose enum has v2_x, so that one enum is checked by pattern.
     */
    private static final String FLINK_VERSION = "/spec/flinkVersion";

    private static final List<String> ROOT_FIELDS = List.of("apiVersion", "kind", "metadata");

    private SchemaCheck() {}

    static void validate(
            Object value,
            Map<String, Object> schema,
            String path,
            boolean checkRequired,
            List<String> errors) {
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            if (!(value instanceof String || value instanceof Number)) {
                errors.add(path + ": expected int or string, was " + value);
            }
            return;
        }
        Object type = schema.get("type");
        if ("object".equals(type)) {
            if (!(value instanceof Map<?, ?> m)) {
                errors.add(path + ": expected an object");
                return;
            }
            Map<String, Object> props = DeployManifestsTest.map(schema.get("properties"));
            Object additional = schema.get("additionalProperties");
            boolean open = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                String child = path + "/" + key;
                if (path.isEmpty() && ROOT_FIELDS.contains(key)) {
                    continue; // defined by Kubernetes, not in the CRD's schema
                }
                if (props != null && props.containsKey(key)) {
                    validate(
                            e.getValue(),
                            DeployManifestsTest.map(props.get(key)),
                            child,
                            checkRequired,
                            errors);
                } else if (additional instanceof Map<?, ?>) {
                    validate(
                            e.getValue(),
                            DeployManifestsTest.map(additional),
                            child,
                            checkRequired,
                            errors);
                } else if (!open && props != null) {
                    errors.add(child + ": unknown field (not in the CRD schema)");
                }
            }
            if (checkRequired && schema.get("required") instanceof List<?> required) {
                for (Object r : required) {
                    if (!m.containsKey(r)) {
                        errors.add(path + "/" + r + ": required");
                    }
                }
            }
        } else if ("array".equals(type)) {
            if (!(value instanceof List<?> l)) {
                errors.add(path + ": expected an array");
                return;
            }
            Map<String, Object> items = DeployManifestsTest.map(schema.get("items"));
            for (int i = 0; i < l.size(); i++) {
                if (items != null) {
                    validate(l.get(i), items, path + "[" + i + "]", checkRequired, errors);
                }
            }
        } else if ("string".equals(type)) {
            if (!(value instanceof String s)) {
                errors.add(path + ": expected a string, was " + value);
                return;
            }
            if (FLINK_VERSION.equals(path)) {
                if (!s.matches("v2_\\d+")) {
                    errors.add(path + ": expected a Flink 2.x version (v2_N), was " + s);
                }
            } else if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(s)) {
                errors.add(path + ": '" + s + "' not one of " + allowed);
            }
        } else if ("integer".equals(type)) {
            if (!(value instanceof Integer || value instanceof Long)) {
                errors.add(path + ": expected an integer, was " + value);
            }
        } else if ("number".equals(type)) {
            if (!(value instanceof Number)) {
                errors.add(path + ": expected a number, was " + value);
            }
        } else if ("boolean".equals(type)) {
            if (!(value instanceof Boolean)) {
                errors.add(path + ": expected a boolean, was " + value);
            }
        }
    }
}
