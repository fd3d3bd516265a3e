/**
 * Counterweight core: pure-Java building blocks for streaming class-imbalance correction.
 *
 * <p>Everything under this package depends on the JDK only, so the same code runs inside stream
 * processors, online learners and offline tools. {@code CoreIsPureJavaTest} enforces this.
 */
package dev.counterweight.core;
