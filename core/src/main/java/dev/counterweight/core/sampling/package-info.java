/** Deterministic negative down-sampling and the matching probability recalibration. */
package dev.counterweight.core.sampling;
