package dev.counterweight.it.reference;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Synthetic shop events with one exposure per (user, item) pair, so {@link WeightingReference} can
 * label them: the seeded {@link SyntheticEventGenerator} stream with repeated pairs removed,
 * truncated to a prefix in event time (a prefix never holds a click without its exposure).
 */
public final class UniquePairEvents {

    /** Attribution window the generated clicks are spread over. */
    public static final long WINDOW = 30_000;

    private UniquePairEvents() {}

    /** About {@code count} events (exactly, if the generator yields enough), sorted by time. */
    public static List<UserEvent> generate(long seed, int count) {
        int exposures = Math.max(100, count);
        SyntheticEventGenerator.Config config =
                new SyntheticEventGenerator.Config(
                        seed,
                        exposures,
                        Math.max(1_000, exposures / 5),
                        400,
                        12,
                        1.1,
                        0.25,
                        0.4,
                        2.0,
                        1_700_000_000_000L,
                        100,
                        WINDOW,
                        90_000);
        List<UserEvent> all = SyntheticEventGenerator.generate(config);
        Map<String, Long> exposuresPerPair =
                all.stream()
                        .filter(e -> e.getType() == EventType.IMPRESSION)
                        .collect(
                                Collectors.groupingBy(
                                        UniquePairEvents::pair, Collectors.counting()));
        List<UserEvent> unique =
                all.stream().filter(e -> exposuresPerPair.get(pair(e)) == 1).toList();
        return unique.subList(0, Math.min(count, unique.size()));
    }

    private static String pair(UserEvent e) {
        return e.getUserId() + "/" + e.getItemId();
    }
}
