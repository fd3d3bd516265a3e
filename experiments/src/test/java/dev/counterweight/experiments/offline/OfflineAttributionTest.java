package dev.counterweight.experiments.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.experiments.offline.OfflineAttribution.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows the data never closed carry censored labels; {@code completeWindows} drops them. */
class OfflineAttributionTest {

    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final Settings RULES_30_MIN =
            Settings.jobDefaults().withRules(new AttributionRules(30 * MINUTE, 0));

    @Test
    void theEndOfInputFlushEmitsWindowsThatTheDataNeverClosed() {
        // The data ends at minute 35, so it cannot show whether the user came back to b or c
        // before their windows close (minutes 50 and 65); the end-of-input flush still emits them
        // as negatives.
        List<UserEvent> events =
                List.of(exposure("a", 0), exposure("b", 20 * MINUTE), exposure("c", 35 * MINUTE));

        List<AttributedSample> all = OfflineAttribution.attribute(events, RULES_30_MIN);

        assertThat(all).extracting(AttributedSample::itemId).containsExactly("a", "b", "c");
        assertThat(all).noneMatch(AttributedSample::click);
    }

    @Test
    void completeWindowsKeepsOnlyWindowsThatClosedBeforeTheLastEvent() {
        List<UserEvent> events =
                List.of(
                        exposure("a", 0),
                        click("a", 10 * MINUTE),
                        exposure("b", 5 * MINUTE),
                        exposure("c", 20 * MINUTE),
                        exposure("d", 35 * MINUTE));
        List<AttributedSample> all = OfflineAttribution.attribute(events, RULES_30_MIN);
        long last = OfflineAttribution.lastEventTime(events);

        List<AttributedSample> complete = OfflineAttribution.completeWindows(all, last);

        assertThat(last).isEqualTo(35 * MINUTE);
        // a closes at 30 and b at 35 (the closing instant counts); c at 50 and d at 65 do not.
        assertThat(complete).extracting(AttributedSample::itemId).containsExactly("a", "b");
        assertThat(complete.get(0).click()).isTrue();
        // The kept samples are the same objects, features included: nothing is recomputed.
        assertThat(complete.get(1)).isSameAs(all.get(1));
    }

    @Test
    void lastEventTimeNeedsEvents() {
        assertThatThrownBy(() -> OfflineAttribution.lastEventTime(new ArrayList<>()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("events must not be empty");
    }

    private static UserEvent exposure(String item, long t) {
        return event(EventType.IMPRESSION, item, t);
    }

    private static UserEvent click(String item, long t) {
        return event(EventType.CLICK, item, t);
    }

    private static UserEvent event(EventType type, String item, long t) {
        return UserEvent.newBuilder()
                .setEventId(type + "-" + item + "-" + t)
                .setUserId("u1")
                .setItemId(item)
                .setCategoryId("cat")
                .setType(type)
                .setEventTime(Instant.ofEpochMilli(t))
                .setFeatures(new ArrayList<>())
                .build();
    }
}
