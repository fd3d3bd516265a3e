package dev.counterweight.connectors.events;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.core.attribution.Action;
import dev.counterweight.core.attribution.Attribution;
import dev.counterweight.core.attribution.EventOrder;

/**
 * How attribution reads a {@link UserEvent}: its action, its attribution key and its place in
 * {@link EventOrder} ({@link #VIEW}). Shared by the weighting job and the offline experiment path,
 * so the two cannot disagree on which events belong to one window or on how same-time events are
 * ordered.
 */
public final class UserEvents {

    /**
     * What core's {@link Attribution} rules read from a user event; its {@link
     * Attribution.EventView#order()} is {@link EventOrder} over user events (time, exposures first,
     * event id).
     */
    public static final Attribution.EventView<UserEvent> VIEW =
            new Attribution.EventView<>(
                    e -> e.getEventTime().toEpochMilli(),
                    UserEvents::actionOf,
                    UserEvent::getEventId,
                    UserEvents::attributionKey);

    private UserEvents() {}

    /** The event's action for attribution. */
    public static Action actionOf(UserEvent event) {
        return switch (event.getType()) {
            case IMPRESSION -> Action.EXPOSURE;
            case CLICK -> Action.CLICK;
            case CART -> Action.CART;
            case FAV -> Action.FAV;
            case PURCHASE -> Action.PURCHASE;
        };
    }

    /**
     * The key of the window an event belongs to, within its user: the item, or the request and the
     * item when the event carries a request id (the same item shown in two requests is two
     * exposures).
     */
    public static String attributionKey(UserEvent event) {
        return event.getRequestId() == null
                ? event.getItemId()
                : event.getRequestId() + '\u0001' + event.getItemId();
    }
}
