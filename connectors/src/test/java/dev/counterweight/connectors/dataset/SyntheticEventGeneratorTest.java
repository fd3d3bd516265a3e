package dev.counterweight.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyntheticEventGeneratorTest {

    @Test
    void sameSeedSameEventsOtherSeedOtherEvents() {
        var config = SyntheticEventGenerator.Config.defaults(7).withExposures(500);
        assertThat(SyntheticEventGenerator.generate(config))
                .isEqualTo(SyntheticEventGenerator.generate(config))
                .isNotEqualTo(
                        SyntheticEventGenerator.generate(
                                SyntheticEventGenerator.Config.defaults(8).withExposures(500)));
    }

    @Test
    void cycledKeysGiveExactlyTheConfiguredNumberOfDistinctCategoriesAndUsers() {
        var config =
                SyntheticEventGenerator.Config.defaults(3)
                        .withExposures(5_000)
                        .withCategories(3_000)
                        .withUsers(4_000)
                        .withCycleKeys(true);
        List<UserEvent> exposures =
                SyntheticEventGenerator.generate(config).stream()
                        .filter(e -> e.getType() == EventType.IMPRESSION)
                        .toList();
        assertThat(exposures).hasSize(5_000);
        assertThat(exposures.stream().map(UserEvent::getCategoryId).distinct().count())
                .isEqualTo(3_000);
        assertThat(exposures.stream().map(UserEvent::getUserId).distinct().count())
                .isEqualTo(4_000);
        // A random draw of 5,000 from 3,000 categories misses about e^(-5/3) ~ 19% of them.
        var random = config.withCycleKeys(false);
        assertThat(
                        SyntheticEventGenerator.generate(random).stream()
                                .filter(e -> e.getType() == EventType.IMPRESSION)
                                .map(UserEvent::getCategoryId)
                                .distinct()
                                .count())
                .isLessThan(2_800);
    }

    @Test
    void categoriesAreZipfSkewedAndRatesMatchTheConfiguration() {
        var config = SyntheticEventGenerator.Config.defaults(1).withExposures(20_000);
        List<UserEvent> events = SyntheticEventGenerator.generate(config);
        Map<String, Long> exposuresByCategory =
                events.stream()
                        .filter(e -> e.getType() == EventType.IMPRESSION)
                        .collect(
                                Collectors.groupingBy(
                                        UserEvent::getCategoryId, Collectors.counting()));
        // Zipf(1.1) over 20 categories: P(rank 1) / P(rank 20) = 20^1.1 ~ 27.
        double ratio = exposuresByCategory.get("sc0") / (double) exposuresByCategory.get("sc19");
        assertThat(ratio).isBetween(15.0, 50.0);

        long clicks = events.stream().filter(e -> e.getType() == EventType.CLICK).count();
        long buys = events.stream().filter(e -> e.getType() == EventType.PURCHASE).count();
        // Expected CTR: mean over categories of ctr*(1+2*rank), weighted by Zipf; between 0.1 and
        // 0.3.
        assertThat(clicks / 20_000.0).isBetween(0.1, 0.3);
        assertThat(buys / (double) clicks).isBetween(0.17, 0.23);
        assertThat(events)
                .isSortedAccordingTo((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
    }
}
