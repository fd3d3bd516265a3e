/**
 * Class weighting: strategies that turn (possibly decayed) class counts into per-class loss
 * weights, the immutable {@link dev.counterweight.core.weighting.WeightTable} that serves them, and
 * effective-sample-size diagnostics.
 */
package dev.counterweight.core.weighting;
