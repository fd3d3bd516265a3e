/**
 * Rules of a closed configuration surface, independent of how options are declared: which keys a
 * service owns, which are unknown, and the nearest known key to name in the error.
 */
package dev.counterweight.core.config;
