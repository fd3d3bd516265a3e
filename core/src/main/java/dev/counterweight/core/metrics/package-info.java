/**
 * Exact sliding-window binary classification metrics (AUC, log loss, calibration error), overall
 * and per class, with macro and tail-class averages.
 */
package dev.counterweight.core.metrics;
