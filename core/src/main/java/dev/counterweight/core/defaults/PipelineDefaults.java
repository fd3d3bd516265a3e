package dev.counterweight.core.defaults;

import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.time.Duration;

/**
 * The defaults of the pipeline's rules, in one place: the weighting job's options ({@code
 * SampleWeightingOptions}) take their default values from here, and the offline experiments, which
 * must not depend on the job module, read the same values.
 */
public final class PipelineDefaults {

    private PipelineDefaults() {}

    // --- Attribution and features ---------------------------------------------------------

    /** {@code attribution.window}. */
    public static final Duration ATTRIBUTION_WINDOW = Duration.ofMinutes(30);

    /** {@code attribution.correction-horizon}. */
    public static final Duration CORRECTION_HORIZON = Duration.ofHours(24);

    /** {@code features.half-life}: half-life of the decayed activity features. */
    public static final Duration FEATURE_HALF_LIFE = Duration.ofHours(1);

    /** {@code features.ctr-prior-clicks}: Beta-prior clicks of the smoothed CTR features. */
    public static final double CTR_PRIOR_CLICKS = 1.0;

    /** {@code features.ctr-prior-exposures}: Beta-prior exposures of the smoothed CTR features. */
    public static final double CTR_PRIOR_EXPOSURES = 20.0;

    // --- Weighting --------------------------------------------------------------------------

    /** {@code classes.key}. */
    public static final ClassKeyMode CLASS_KEY = ClassKeyMode.CATEGORY_LABEL;

    /** {@code weights.strategy}. */
    public static final WeightingStrategy STRATEGY = WeightingStrategy.SQRT_INVERSE;

    /** {@code weights.min}: lower clip bound. */
    public static final double MIN_WEIGHT = 0.05;

    /** {@code weights.max}: upper clip bound. */
    public static final double MAX_WEIGHT = 20.0;

    /** {@code weights.normalise}: mean sample weight 1. */
    public static final boolean NORMALISE = true;

    /** {@code weights.half-life}: half-life of the decayed class counts. */
    public static final Duration WEIGHT_HALF_LIFE = Duration.ofHours(6);

    /** {@code weights.update-interval}: event time between weight-table updates. */
    public static final Duration UPDATE_INTERVAL = Duration.ofMinutes(1);

    // --- Loss-aware weights -----------------------------------------------------------------

    /** {@code weights.loss-aware.strength}. */
    public static final double LOSS_AWARE_STRENGTH = 1.0;

    /** {@code weights.loss-aware.smoothing}. */
    public static final double LOSS_AWARE_SMOOTHING = 0.3;

    /** {@code weights.loss-aware.min}. */
    public static final double LOSS_AWARE_MIN = 0.5;

    /** {@code weights.loss-aware.max}. */
    public static final double LOSS_AWARE_MAX = 2.0;

    /** {@code weights.loss-aware.min-samples}. */
    public static final long LOSS_AWARE_MIN_SAMPLES = 5L;

    /** {@code weights.loss-aware.preserve-mean}. */
    public static final boolean LOSS_AWARE_PRESERVE_MEAN = true;
}
