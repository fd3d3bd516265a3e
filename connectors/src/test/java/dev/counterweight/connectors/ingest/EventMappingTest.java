package dev.counterweight.connectors.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventMappingTest {

    static Map<String, String> shop() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("field.event-id", "id");
        m.put("field.user", "user_id");
        m.put("field.item", "sku");
        m.put("field.category", "cat");
        m.put("field.time", "ts");
        m.put("field.type", "action");
        m.put("type.impression", "view, list_view");
        m.put("type.click", "click");
        m.put("type.cart", "add_to_cart");
        m.put("type.favourite", "wishlist");
        m.put("type.purchase", "order");
        return m;
    }

    @Test
    void readsAFileWithDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("shop.properties");
        StringBuilder text = new StringBuilder("# a shop\n");
        shop().forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(file, text);
        EventMapping m = EventMapping.load(file);
        assertThat(m.userField()).isEqualTo("user_id");
        assertThat(m.timeFormat()).isEqualTo(TimeFormat.EPOCH_MILLIS);
        assertThat(m.timeZone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(m.unknownTypes()).isEqualTo(UnknownTypePolicy.DROP);
        assertThat(m.typeValues())
                .containsEntry("view", EventType.IMPRESSION)
                .containsEntry("list_view", EventType.IMPRESSION)
                .containsEntry("add_to_cart", EventType.CART)
                .containsEntry("wishlist", EventType.FAV)
                .containsEntry("order", EventType.PURCHASE)
                .hasSize(6);
    }

    @Test
    void unknownKeyFailsNamingTheNearest(@TempDir Path dir) throws Exception {
        Map<String, String> m = shop();
        m.put("feild.price", "p");
        assertThatThrownBy(() -> EventMapping.of(m))
                .hasMessageContaining("unknown key 'feild.price'")
                .hasMessageContaining("nearest known key: 'field.price'");
        Path file = dir.resolve("m.properties");
        Files.writeString(file, "type.purchse = order\n");
        assertThatThrownBy(() -> EventMapping.load(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("nearest known key: 'type.purchase'");
    }

    @Test
    void missingAndBadValuesNameTheKey() {
        Map<String, String> m = shop();
        m.remove("field.user");
        assertThatThrownBy(() -> EventMapping.of(m)).hasMessageContaining("'field.user'");

        Map<String, String> noId = shop();
        noId.remove("field.event-id");
        assertThatThrownBy(() -> EventMapping.of(noId))
                .hasMessageContaining("'field.event-id'")
                .hasMessageContaining("'event-id.from'");

        Map<String, String> both = shop();
        both.put("event-id.from", "user_id, ts");
        assertThatThrownBy(() -> EventMapping.of(both)).hasMessageContaining("exclude each other");

        Map<String, String> format = shop();
        format.put("time.format", "unix");
        assertThatThrownBy(() -> EventMapping.of(format))
                .hasMessageContaining("'time.format'")
                .hasMessageContaining("epoch-millis, epoch-seconds, iso-8601");

        Map<String, String> zone = shop();
        zone.put("time.zone", "Mars/Olympus");
        assertThatThrownBy(() -> EventMapping.of(zone)).hasMessageContaining("'time.zone'");

        Map<String, String> twice = shop();
        twice.put("type.click", "click, VIEW");
        assertThatThrownBy(() -> EventMapping.of(twice))
                .hasMessageContaining("'VIEW'")
                .hasMessageContaining("'type.impression'")
                .hasMessageContaining("'type.click'");

        Map<String, String> noImpression = shop();
        noImpression.remove("type.impression");
        assertThatThrownBy(() -> EventMapping.of(noImpression))
                .hasMessageContaining("'type.impression'");

        Map<String, String> policy = shop();
        policy.put("type.unknown", "ignore");
        assertThatThrownBy(() -> EventMapping.of(policy))
                .hasMessageContaining("'type.unknown'")
                .hasMessageContaining("drop, dead-letter");

        Map<String, String> noCategory = shop();
        noCategory.remove("field.category");
        assertThatThrownBy(() -> EventMapping.of(noCategory))
                .hasMessageContaining("'field.category'")
                .hasMessageContaining("'category.default'");
    }

    @Test
    void isSerializableWhole() throws Exception {
        EventMapping m = EventMapping.of(shop());
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        try (var in =
                new java.io.ObjectInputStream(
                        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(m);
        }
    }
}
