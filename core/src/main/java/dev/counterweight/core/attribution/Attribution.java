package dev.counterweight.core.attribution;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The attribution rules of one user, applied one event time at a time: the only implementation,
 * used by the weighting job's attribution operator (state in Flink) and by the offline path ({@link
 * #run}, state in memory).
 *
 * <p>At each event time {@code t} ({@link #advance}): first the user's events with time {@code t},
 * in {@link EventOrder}: an exposure without a window for its key, or after its key's window
 * closed, opens an {@link ExposureWindow}; clicks and purchases update their key's window (a
 * purchase after a closed window, inside the correction horizon, emits a correction sample at
 * once); a click or purchase whose key has no window is unmatched. Then the windows that close at
 * {@code t} emit their sample (in exposure-id order), each followed by its pending correction if
 * any. Then the closed windows that expire at {@code t} are removed. A window that opens at {@code
 * t} and closes or expires at {@code t} too (a zero window) is handled in the same step.
 *
 * <p>The caller keeps the state and the index of due closes and expiries ({@link Host}); this class
 * keeps none, so the operator's state layout is its own.
 *
 * @param <E> the event representation
 * @param <P> the caller's state of one exposure (holds an {@link ExposureWindow})
 */
public final class Attribution<E, P> {

    /** The suffix of a correction sample's id. */
    public static final String CORRECTION_SUFFIX = "#correction";

    /** A sample's id: the exposure's event id, with {@link #CORRECTION_SUFFIX} for a correction. */
    public static String sampleId(String exposureId, boolean correction) {
        return correction ? exposureId + CORRECTION_SUFFIX : exposureId;
    }

    /**
     * What the rules read from an event.
     *
     * @param time event time, epoch milliseconds
     * @param action the event's action
     * @param eventId the event's unique id (ties in {@link EventOrder})
     * @param key the attribution key within the user (item, or request and item)
     * @param <E> the event representation
     */
    public record EventView<E>(
            ToLongFunction<E> time,
            Function<E, Action> action,
            Function<E, String> eventId,
            Function<E, String> key) {

        /** {@link EventOrder} over these events. */
        public Comparator<E> order() {
            return EventOrder.of(time, action, eventId);
        }

        /** This view over events that wrap an {@code E}. */
        public <F> EventView<F> on(Function<F, E> event) {
            return new EventView<>(
                    f -> time.applyAsLong(event.apply(f)),
                    f -> action.apply(event.apply(f)),
                    f -> eventId.apply(event.apply(f)),
                    f -> key.apply(event.apply(f)));
        }
    }

    /**
     * The caller's state of one user and where the results go. State methods may throw what the
     * caller's state backend throws.
     *
     * @param <E> the event representation
     * @param <P> the caller's state of one exposure
     */
    public interface Host<E, P> {

        /** The state of {@code key}'s exposure, or null. */
        P get(String key) throws Exception;

        /** Stores the (new or changed) state of {@code key}'s exposure. */
        void put(String key, P pending) throws Exception;

        /** Removes the state of {@code key}'s exposure. */
        void remove(String key) throws Exception;

        /** The state of a new exposure, holding {@code window}. */
        P open(E exposure, ExposureWindow window);

        /** The window held by {@code pending}. */
        ExposureWindow window(P pending);

        /** The event id of the exposure that opened {@code pending}. */
        String exposureId(P pending);

        /**
         * {@code event} changed {@code pending}'s labels (or asks for its correction); called
         * before the state is stored and before a correction is emitted.
         */
        void contributed(P pending, E event);

        /** Indexes a later step: close {@code key}'s window at {@code time}. */
        void closeAt(long time, String key) throws Exception;

        /** Indexes a later step: remove {@code key}'s closed window at {@code time}. */
        void expireAt(long time, String key) throws Exception;

        /**
         * A sample of {@code pending}'s exposure is due at event time {@code closedAt}: labels
         * {@link ExposureWindow#clicked} and {@link ExposureWindow#converted} of its window as they
         * are now, or click and conversion for a correction. Samples are emitted in the order of
         * this call.
         */
        void emit(P pending, long closedAt, boolean correction) throws Exception;

        /** A click or a purchase without an exposure (none open, none within the horizon). */
        void unmatched(E event, Action action) throws Exception;

        /** An event that changes nothing (a repeat, outside every window, a cart or favourite). */
        void notAttributed(E event);
    }

    private final AttributionRules rules;
    private final EventView<E> view;
    private final Comparator<E> order;

    public Attribution(AttributionRules rules, EventView<E> view) {
        this.rules = rules;
        this.view = view;
        this.order = view.order();
    }

    /** The rules. */
    public AttributionRules rules() {
        return rules;
    }

    /**
     * One step of one user at event time {@code time}.
     *
     * @param events the user's events with event time {@code time}, in any order
     * @param closing keys indexed by {@link Host#closeAt} for {@code time} (stale entries, whose
     *     window was replaced or closed, are skipped)
     * @param expiring keys indexed by {@link Host#expireAt} for {@code time}
     */
    public void advance(
            long time,
            Collection<E> events,
            Collection<String> closing,
            Collection<String> expiring,
            Host<E, P> host)
            throws Exception {
        List<String> closingNow = new ArrayList<>(closing);
        List<String> expiringNow = new ArrayList<>(expiring);
        if (!events.isEmpty()) {
            List<E> ordered = new ArrayList<>(events);
            ordered.sort(order);
            for (E e : ordered) {
                apply(e, time, closingNow, expiringNow, host);
            }
        }
        if (!closingNow.isEmpty()) {
            List<Map.Entry<String, P>> toClose = new ArrayList<>();
            for (String key : closingNow) {
                P p = host.get(key);
                // A stale index entry (the window was replaced, or closed) is skipped.
                if (p != null && !host.window(p).closed && host.window(p).closesAt(rules) <= time) {
                    toClose.add(Map.entry(key, p));
                }
            }
            toClose.sort(Comparator.comparing(e -> host.exposureId(e.getValue())));
            for (Map.Entry<String, P> entry : toClose) {
                P p = entry.getValue();
                ExposureWindow w = host.window(p);
                host.emit(p, w.closesAt(rules), false);
                if (w.close()) {
                    host.emit(p, w.latePurchaseTime, true);
                }
                host.put(entry.getKey(), p);
            }
        }
        for (String key : expiringNow) {
            P p = host.get(key);
            if (p != null) {
                ExposureWindow w = host.window(p);
                if (w.closed && w.expiresAt(rules) <= time) {
                    host.remove(key);
                }
            }
        }
    }

    private void apply(
            E e, long time, List<String> closingNow, List<String> expiringNow, Host<E, P> host)
            throws Exception {
        Action action = view.action().apply(e);
        long t = view.time().applyAsLong(e);
        String key = view.key().apply(e);
        P p = host.get(key);
        if (p == null) {
            if (action == Action.EXPOSURE) {
                open(key, e, t, time, closingNow, expiringNow, host);
            } else if (action == Action.CLICK || action == Action.PURCHASE) {
                host.unmatched(e, action);
            } else {
                host.notAttributed(e);
            }
            return;
        }
        switch (host.window(p).apply(action, t, rules)) {
            case NEW_EXPOSURE -> open(key, e, t, time, closingNow, expiringNow, host);
            case CLICK_ATTRIBUTED, CONVERSION_ATTRIBUTED, CORRECTION_PENDING -> {
                host.contributed(p, e);
                host.put(key, p);
            }
            case CORRECTION -> {
                host.contributed(p, e);
                host.put(key, p);
                host.emit(p, t, true);
            }
            default -> host.notAttributed(e);
        }
    }

    private void open(
            String key,
            E e,
            long t,
            long time,
            List<String> closingNow,
            List<String> expiringNow,
            Host<E, P> host)
            throws Exception {
        ExposureWindow w = ExposureWindow.open(t);
        P p = host.open(e, w);
        host.put(key, p);
        long closesAt = w.closesAt(rules);
        long expiresAt = w.expiresAt(rules);
        if (closesAt <= time) {
            closingNow.add(key);
        } else {
            host.closeAt(closesAt, key);
        }
        if (expiresAt <= time) {
            expiringNow.add(key);
        } else {
            host.expireAt(expiresAt, key);
        }
    }

    /**
     * One sample as {@link #run} emits it; labels as of its emission.
     *
     * @param exposure the exposure event that opened the window
     * @param closedAt event time of the sample (window close, or the late purchase)
     * @param sources the events that made the sample, exposure first
     * @param <E> the event representation
     */
    public record Emitted<E>(
            E exposure,
            long closedAt,
            boolean click,
            boolean conversion,
            boolean correction,
            List<E> sources) {}

    /** Counts of {@link #run}'s events that produced no label. */
    public static final class Unused {
        /** Clicks and purchases without an exposure. */
        public long unmatched;

        /** Events that changed nothing. */
        public long notAttributed;
    }

    /**
     * Runs one user's events through the rules in memory, as the job does when its watermark passes
     * each event time and, at the end of its input, every due close and expiry.
     *
     * @param rules the attribution rules
     * @param view what the rules read from an event
     * @param userEvents the events of one user, in any order
     * @param unused counts of events that produced no label, or null
     * @param <E> the event representation
     * @return the samples in emission order
     */
    public static <E> List<Emitted<E>> run(
            AttributionRules rules, EventView<E> view, Collection<E> userEvents, Unused unused) {
        TreeMap<Long, Slot<E>> due = new TreeMap<>();
        for (E e : userEvents) {
            due.computeIfAbsent(view.time().applyAsLong(e), k -> new Slot<>()).events.add(e);
        }
        InMemory<E> host = new InMemory<>(view, due, unused == null ? new Unused() : unused);
        Attribution<E, Open<E>> attribution = new Attribution<>(rules, view);
        try {
            for (Map.Entry<Long, Slot<E>> next = due.pollFirstEntry();
                    next != null;
                    next = due.pollFirstEntry()) {
                Slot<E> slot = next.getValue();
                attribution.advance(next.getKey(), slot.events, slot.closing, slot.expiring, host);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return host.out;
    }

    private static final class Slot<E> {
        final List<E> events = new ArrayList<>();
        final List<String> closing = new ArrayList<>();
        final List<String> expiring = new ArrayList<>();
    }

    private static final class Open<E> {
        final E exposure;
        final ExposureWindow window;
        final List<E> sources = new ArrayList<>();

        Open(E exposure, ExposureWindow window) {
            this.exposure = exposure;
            this.window = window;
            sources.add(exposure);
        }
    }

    /** One user's state, index and output in memory. */
    private static final class InMemory<E> implements Host<E, Open<E>> {
        final EventView<E> view;
        final TreeMap<Long, Slot<E>> due;
        final Unused unused;
        final List<Emitted<E>> out = new ArrayList<>();
        final Map<String, Open<E>> state = new HashMap<>();

        InMemory(EventView<E> view, TreeMap<Long, Slot<E>> due, Unused unused) {
            this.view = view;
            this.due = due;
            this.unused = unused;
        }

        @Override
        public Open<E> get(String key) {
            return state.get(key);
        }

        @Override
        public void put(String key, Open<E> pending) {
            state.put(key, pending);
        }

        @Override
        public void remove(String key) {
            state.remove(key);
        }

        @Override
        public Open<E> open(E exposure, ExposureWindow window) {
            return new Open<>(exposure, window);
        }

        @Override
        public ExposureWindow window(Open<E> pending) {
            return pending.window;
        }

        @Override
        public String exposureId(Open<E> pending) {
            return view.eventId().apply(pending.exposure);
        }

        @Override
        public void contributed(Open<E> pending, E event) {
            pending.sources.add(event);
        }

        @Override
        public void closeAt(long time, String key) {
            due.computeIfAbsent(time, k -> new Slot<>()).closing.add(key);
        }

        @Override
        public void expireAt(long time, String key) {
            due.computeIfAbsent(time, k -> new Slot<>()).expiring.add(key);
        }

        @Override
        public void emit(Open<E> p, long closedAt, boolean correction) {
            out.add(
                    new Emitted<>(
                            p.exposure,
                            closedAt,
                            correction || p.window.clicked,
                            correction || p.window.converted,
                            correction,
                            List.copyOf(p.sources)));
        }

        @Override
        public void unmatched(E event, Action action) {
            unused.unmatched++;
        }

        @Override
        public void notAttributed(E event) {
            unused.notAttributed++;
        }
    }
}
