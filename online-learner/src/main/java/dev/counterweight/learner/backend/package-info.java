/**
 * Choice and self-test of the ND4J compute backend (CPU or CUDA) and its thread settings, driven by
 * the {@code learner.device} and {@code learner.omp-threads} options.
 *
 * <p>All arguments are non-null unless a method says otherwise.
 */
package dev.counterweight.learner.backend;
