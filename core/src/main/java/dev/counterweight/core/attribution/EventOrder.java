package dev.counterweight.core.attribution;

import java.util.Comparator;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The one order in which attribution applies a user's events: event time, then exposures before
 * every other action at the same time, then event id. Exposures first, so that a click or purchase
 * logged in the same millisecond as its exposure (common with whole-second shop timestamps) is
 * attributed to it instead of arriving "before" it; event id last, so the order is total and the
 * labels are a function of the input only. The weighting job, the offline experiment path and every
 * reader of the rules use this comparator; nothing else orders events for attribution.
 */
public final class EventOrder {

    private EventOrder() {}

    /**
     * The attribution order over any event representation.
     *
     * @param time event time, epoch milliseconds
     * @param action the event's action
     * @param eventId the event's unique id
     * @param <E> the event type
     * @return a total order: time, exposures first, event id
     */
    public static <E> Comparator<E> of(
            ToLongFunction<E> time, Function<E, Action> action, Function<E, String> eventId) {
        return Comparator.comparingLong(time)
                .thenComparing(e -> action.apply(e) != Action.EXPOSURE)
                .thenComparing(eventId);
    }
}
