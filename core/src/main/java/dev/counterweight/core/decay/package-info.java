/**
 * Exponentially time-decayed counting: {@link dev.counterweight.core.decay.HalfLife} and the
 * order-independent, mergeable {@link dev.counterweight.core.decay.DecayedCount}.
 */
package dev.counterweight.core.decay;
