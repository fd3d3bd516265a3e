package dev.counterweight.learner.backend;

import java.util.Locale;

/** Values of the {@code learner.device} option: which ND4J backend the learner accepts. */
public enum Device {
    /** Use whichever backend ND4J loads (CUDA if present and usable, else CPU). */
    AUTO,
    /** Require the CPU backend ({@code nd4j-native}). */
    CPU,
    /** Require a GPU backend ({@code nd4j-cuda-*}, the Maven profile {@code cuda}). */
    GPU;

    /**
     * Parses an option value, ignoring case and surrounding blanks.
     *
     * @param value {@code auto}, {@code cpu} or {@code gpu}
     * @return the device
     * @throws IllegalArgumentException naming {@code learner.device} if the value is unknown
     */
    public static Device parse(String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "auto":
                    return AUTO;
                case "cpu":
                    return CPU;
                case "gpu":
                    return GPU;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(
                BackendOptions.DEVICE_KEY + " must be one of auto, cpu, gpu; was " + value);
    }

    /** Returns the option value, in lower case. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
