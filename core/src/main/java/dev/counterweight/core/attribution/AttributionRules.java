package dev.counterweight.core.attribution;

/**
 * Attribution windows.
 *
 * @param windowMillis clicks and purchases with {@code exposure <= t <= exposure + window} set the
 *     labels; the sample is emitted when the window closes
 * @param correctionHorizonMillis a purchase after the window but at most this much after it closes
 *     emits a correction sample (delayed feedback); 0 disables corrections
 */
public record AttributionRules(long windowMillis, long correctionHorizonMillis)
        implements java.io.Serializable {
    public AttributionRules {
        if (windowMillis < 0) {
            throw new IllegalArgumentException(
                    "attribution.window must not be negative, was " + windowMillis + " ms");
        }
        if (correctionHorizonMillis < 0) {
            throw new IllegalArgumentException(
                    "attribution.correction-horizon must not be negative, was "
                            + correctionHorizonMillis
                            + " ms");
        }
    }
}
