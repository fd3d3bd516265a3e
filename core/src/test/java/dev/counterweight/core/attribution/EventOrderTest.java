package dev.counterweight.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventOrderTest {

    record Ev(long time, Action action, String id) {}

    private static final Comparator<Ev> ORDER = EventOrder.of(Ev::time, Ev::action, Ev::id);

    @Test
    void anExposureGoesBeforeEveryOtherActionAtItsTimeWhateverItsId() {
        Ev click = new Ev(1_000, Action.CLICK, "a");
        Ev purchase = new Ev(1_000, Action.PURCHASE, "b");
        Ev exposure = new Ev(1_000, Action.EXPOSURE, "z");
        List<Ev> events = new ArrayList<>(List.of(click, purchase, exposure));
        events.sort(ORDER);
        assertThat(events).containsExactly(exposure, click, purchase);
    }

    @Test
    void timeComesFirstAndIdsBreakTheRemainingTies() {
        assertThat(ORDER.compare(new Ev(1, Action.PURCHASE, "a"), new Ev(2, Action.EXPOSURE, "a")))
                .isNegative();
        assertThat(ORDER.compare(new Ev(5, Action.CLICK, "b"), new Ev(5, Action.PURCHASE, "a")))
                .isPositive();
        assertThat(ORDER.compare(new Ev(5, Action.EXPOSURE, "b"), new Ev(5, Action.EXPOSURE, "c")))
                .isNegative();
    }

    /** Against a brute-force rank: (time, 0 for exposures else 1, id) compared as a tuple. */
    @Test
    void matchesATupleRankOnRandomEvents() {
        Random random = new Random(3);
        List<Ev> events = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            events.add(
                    new Ev(
                            random.nextInt(20),
                            Action.values()[random.nextInt(Action.values().length)],
                            "e" + random.nextInt(500)));
        }
        for (int i = 0; i < 5_000; i++) {
            Ev a = events.get(random.nextInt(events.size()));
            Ev b = events.get(random.nextInt(events.size()));
            String ra = rank(a);
            String rb = rank(b);
            assertThat(Integer.signum(ORDER.compare(a, b)))
                    .as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(ra.compareTo(rb)));
        }
    }

    private static String rank(Ev e) {
        return String.format(
                "%020d|%d|%s", e.time(), e.action() == Action.EXPOSURE ? 0 : 1, e.id());
    }
}
