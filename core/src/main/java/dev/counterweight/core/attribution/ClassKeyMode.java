package dev.counterweight.core.attribution;

/** How a sample's class key is formed from its category, labels and item popularity. */
public enum ClassKeyMode {
    /** {@code cat=<category>}. */
    CATEGORY,
    /** {@code cat=<category>|y=<label>}. */
    CATEGORY_LABEL,
    /** {@code y=<label>}, label one of {@code none}, {@code click}, {@code purchase}. */
    LABEL,
    /** {@code pop=<b>} with b = floor(log2(1 + prior item exposures)). */
    POPULARITY;

    /** The class key of a sample. */
    public String keyOf(
            String categoryId, boolean click, boolean conversion, double itemExposures) {
        return switch (this) {
            case CATEGORY -> "cat=" + categoryId;
            case CATEGORY_LABEL -> "cat=" + categoryId + "|y=" + label(click, conversion);
            case LABEL -> "y=" + label(click, conversion);
            case POPULARITY -> "pop=" + popularityBucket(itemExposures);
        };
    }

    /**
     * The evaluation group of a class key: the key without its label component ({@code
     * cat=7|y=click} becomes {@code cat=7}; a label-only key becomes {@code all}). Ranking metrics
     * need both labels inside a group, which a class that includes the label never has.
     */
    public static String evaluationGroup(String classKey) {
        StringBuilder out = new StringBuilder();
        for (String part : classKey.split("\\|")) {
            if (!part.startsWith("y=")) {
                if (out.length() > 0) {
                    out.append('|');
                }
                out.append(part);
            }
        }
        return out.length() == 0 ? "all" : out.toString();
    }

    /** The label name: {@code purchase} beats {@code click} beats {@code none}. */
    public static String label(boolean click, boolean conversion) {
        return conversion ? "purchase" : click ? "click" : "none";
    }

    /** floor(log2(1 + exposures)), 0 for non-positive or non-finite input. */
    public static int popularityBucket(double exposures) {
        if (!(exposures > 0) || Double.isInfinite(exposures)) {
            return 0;
        }
        return 63 - Long.numberOfLeadingZeros((long) Math.floor(1 + exposures));
    }
}
