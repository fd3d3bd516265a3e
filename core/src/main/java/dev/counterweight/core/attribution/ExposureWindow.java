package dev.counterweight.core.attribution;

/**
 * The attribution state of one exposure: a small state machine driven by event times only, so the
 * labels it assigns do not depend on arrival order or on when the window's timer fires.
 *
 * <ul>
 *   <li>A click with {@code exposureTime <= t <= closesAt} sets the click label; a purchase in the
 *       same range sets the conversion label and the click label (a purchase implies a click, as in
 *       ESMM where conversion is a subset of click).
 *   <li>A purchase with {@code closesAt < t <= expiresAt}, when none was in the window, asks for a
 *       correction sample: at once if the window is already closed, else when it closes.
 *   <li>Everything else is ignored and reported as such.
 * </ul>
 *
 * <p>A plain bean (public no-arg constructor, public fields) so stream processors can keep it in
 * state with a POJO serializer.
 */
public final class ExposureWindow {

    /** Marker for "no late purchase seen". */
    public static final long NONE = Long.MIN_VALUE;

    /** Event time of the exposure. */
    public long exposureTime;

    /** Click label so far. */
    public boolean clicked;

    /** Conversion label so far (including a correction once emitted). */
    public boolean converted;

    /** Whether the window's sample was emitted. */
    public boolean closed;

    /**
     * Earliest purchase after the window seen while the window was still open, or {@link #NONE}.
     */
    public long latePurchaseTime = NONE;

    /** What an action did to the window. */
    public enum Outcome {
        /** Another exposure of the same key inside the window: merged into this one. */
        MERGED_EXPOSURE,
        /** An exposure after the window closed: the caller starts a new window. */
        NEW_EXPOSURE,
        /** The click label was set. */
        CLICK_ATTRIBUTED,
        /** The conversion label was set. */
        CONVERSION_ATTRIBUTED,
        /** The window is closed; the caller emits a correction sample now. */
        CORRECTION,
        /** A late purchase was noted; a correction follows when the window closes. */
        CORRECTION_PENDING,
        /** Outside every window, or a repeat: nothing changes. */
        IGNORED
    }

    /** Bean constructor; use {@link #open(long)}. */
    public ExposureWindow() {}

    /** A new window for an exposure at {@code time}. */
    public static ExposureWindow open(long time) {
        ExposureWindow w = new ExposureWindow();
        w.exposureTime = time;
        return w;
    }

    /** Event time at which the window closes and its sample is due. */
    public long closesAt(AttributionRules rules) {
        return saturatedAdd(exposureTime, rules.windowMillis());
    }

    /** Event time after which no correction can follow and the state can go. */
    public long expiresAt(AttributionRules rules) {
        return saturatedAdd(closesAt(rules), rules.correctionHorizonMillis());
    }

    /** Applies one action at event time {@code t}. */
    public Outcome apply(Action action, long t, AttributionRules rules) {
        boolean inWindow = t >= exposureTime && t <= closesAt(rules);
        switch (action) {
            case EXPOSURE:
                return closed && t > closesAt(rules)
                        ? Outcome.NEW_EXPOSURE
                        : Outcome.MERGED_EXPOSURE;
            case CLICK:
                if (inWindow && !closed && !clicked) {
                    clicked = true;
                    return Outcome.CLICK_ATTRIBUTED;
                }
                return Outcome.IGNORED;
            case PURCHASE:
                if (inWindow && !closed && !converted) {
                    converted = true;
                    clicked = true;
                    latePurchaseTime = NONE;
                    return Outcome.CONVERSION_ATTRIBUTED;
                }
                boolean inHorizon = t > closesAt(rules) && t <= expiresAt(rules);
                if (!inHorizon || converted) {
                    return Outcome.IGNORED;
                }
                if (closed) {
                    converted = true;
                    return Outcome.CORRECTION;
                }
                if (latePurchaseTime == NONE || t < latePurchaseTime) {
                    latePurchaseTime = t;
                }
                return Outcome.CORRECTION_PENDING;
            default:
                return Outcome.IGNORED;
        }
    }

    /**
     * Closes the window: the caller emits the sample with the current labels, and then, if this
     * returns true, a correction for the late purchase at {@link #latePurchaseTime}.
     */
    public boolean close() {
        closed = true;
        if (latePurchaseTime != NONE && !converted) {
            converted = true;
            return true;
        }
        return false;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
