package dev.counterweight.learner.service;

import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.validation.IdCheck;
import java.io.IOException;
import java.util.List;

/**
 * Decides whether the bytes of a {@code weighted-samples} record are a {@link Sample} the learner
 * can train on; if not, gives a machine code and a human reason for the learner's dead-letter
 * record. Pure logic over the Avro type (no Kafka client, no DL4J), so it is tested directly.
 *
 * <p>A sample that passes is safe for {@link SampleEncoder#encode}: its ids are non-blank, its
 * feature layout is the one of {@link FeatureLayout}, every feature is finite and within {@link
 * Limits#maxAbsFeature()}, its weight is finite, non-negative and at most {@link
 * Limits#maxWeight()}, its class weight likewise, and its sampling rate lies in (0, 1]. The click
 * and conversion labels are Avro booleans, so they cannot be anything but 0 or 1.
 */
public final class SampleValidator {

    /** Reason codes written to {@code DeadLetter.reasonCode}. */
    public static final String EMPTY_VALUE = "EMPTY_VALUE";

    public static final String WRONG_SCHEMA = "WRONG_SCHEMA";
    public static final String UNDECODABLE = "UNDECODABLE";
    public static final String WRONG_LAYOUT = "WRONG_LAYOUT";
    public static final String MISSING_ID = IdCheck.MISSING_ID;
    public static final String OVERSIZED_FIELD = IdCheck.OVERSIZED_FIELD;
    public static final String NON_FINITE_FEATURE = "NON_FINITE_FEATURE";
    public static final String FEATURE_OUT_OF_RANGE = "FEATURE_OUT_OF_RANGE";
    public static final String BAD_WEIGHT = "BAD_WEIGHT";
    public static final String BAD_CLASS_WEIGHT = "BAD_CLASS_WEIGHT";
    public static final String BAD_SAMPLING_RATE = "BAD_SAMPLING_RATE";
    public static final String BAD_TABLE_VERSION = "BAD_TABLE_VERSION";

    /**
     * Validation limits (the {@code learner.validation.*} options).
     *
     * @param maxFeatures most entries of {@code Sample.features}
     * @param maxAbsFeature largest accepted |feature|
     * @param maxWeight largest accepted weight and class weight
     * @param maxIdLength longest accepted user, item or category id
     */
    public record Limits(int maxFeatures, double maxAbsFeature, double maxWeight, int maxIdLength) {
        public Limits {
            if (maxFeatures < FeatureLayout.DENSE) {
                throw new IllegalArgumentException(
                        "maxFeatures must be at least the "
                                + FeatureLayout.DENSE
                                + " positions of the feature layout, was "
                                + maxFeatures);
            }
            if (!(maxAbsFeature > 0) || !Double.isFinite(maxAbsFeature)) {
                throw new IllegalArgumentException(
                        "maxAbsFeature must be finite and positive, was " + maxAbsFeature);
            }
            // The encoder casts weights to float: the bound keeps them finite there.
            if (!(maxWeight > 0) || !(maxWeight <= Float.MAX_VALUE)) {
                throw new IllegalArgumentException(
                        "maxWeight must be positive and at most Float.MAX_VALUE, was " + maxWeight);
            }
            if (maxIdLength < 1) {
                throw new IllegalArgumentException(
                        "maxIdLength must be at least 1, was " + maxIdLength);
            }
        }
    }

    /** Why a record was refused. */
    public record Rejection(String code, String reason) {}

    /** The outcome: exactly one of {@code sample} and {@code rejection} is set. */
    public record Result(Sample sample, Rejection rejection) {}

    private final Limits limits;
    private final AvroCodec<Sample> codec = Topics.WEIGHTED_SAMPLES.codec();

    public SampleValidator(Limits limits) {
        this.limits = limits;
    }

    /** The limits this validator applies. */
    public Limits limits() {
        return limits;
    }

    /** Decodes and checks one record value. */
    public Result validate(byte[] value) {
        if (value == null || value.length == 0) {
            return reject(EMPTY_VALUE, "record has no value");
        }
        Sample sample;
        try {
            sample = codec.decode(value);
        } catch (AvroCodec.WrongSchemaException e) {
            return reject(WRONG_SCHEMA, "not a Sample: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return reject(UNDECODABLE, "cannot decode Sample: " + e.getMessage());
        }
        Rejection rejection = check(sample);
        return rejection == null ? new Result(sample, null) : new Result(null, rejection);
    }

    /** Checks a decoded sample; null if the learner can train on it. */
    public Rejection check(Sample s) {
        if (!FeatureLayout.FINGERPRINT.equals(s.getFeatureFingerprint())) {
            return new Rejection(
                    WRONG_LAYOUT,
                    "feature layout '"
                            + s.getFeatureFingerprint()
                            + "' is not "
                            + FeatureLayout.FINGERPRINT);
        }
        Rejection r = id("userId", s.getUserId());
        r = r != null ? r : id("itemId", s.getItemId());
        r = r != null ? r : id("categoryId", s.getCategoryId());
        if (r != null) {
            return r;
        }
        r = features(s.getFeatures());
        if (r != null) {
            return r;
        }
        double w = s.getWeight();
        if (!(w >= 0 && w <= limits.maxWeight())) {
            return new Rejection(
                    BAD_WEIGHT,
                    "weight "
                            + w
                            + " is not in [0, "
                            + limits.maxWeight()
                            + "] (learner.validation.max-weight)");
        }
        double cw = s.getClassWeight();
        if (!(cw >= 0 && cw <= limits.maxWeight())) {
            return new Rejection(
                    BAD_CLASS_WEIGHT,
                    "classWeight "
                            + cw
                            + " is not in [0, "
                            + limits.maxWeight()
                            + "] (learner.validation.max-weight)");
        }
        double rate = s.getSamplingRate();
        if (!(rate > 0 && rate <= 1)) {
            return new Rejection(BAD_SAMPLING_RATE, "samplingRate " + rate + " is not in (0, 1]");
        }
        if (s.getWeightTableVersion() < 0) {
            return new Rejection(
                    BAD_TABLE_VERSION,
                    "weightTableVersion " + s.getWeightTableVersion() + " is negative");
        }
        return null;
    }

    private Rejection features(List<Float> features) {
        int n = features.size();
        if (n < FeatureLayout.DENSE) {
            return new Rejection(
                    WRONG_LAYOUT,
                    n
                            + " features, but the layout "
                            + FeatureLayout.FINGERPRINT
                            + " has "
                            + FeatureLayout.DENSE
                            + " fixed positions");
        }
        if (n > limits.maxFeatures()) {
            return new Rejection(
                    OVERSIZED_FIELD,
                    n
                            + " features, limit "
                            + limits.maxFeatures()
                            + " (learner.validation.max-features)");
        }
        double bound = limits.maxAbsFeature();
        for (int i = 0; i < n; i++) {
            Float boxed = features.get(i);
            if (boxed == null) {
                return new Rejection(NON_FINITE_FEATURE, "feature " + i + " is null");
            }
            float f = boxed;
            if (!Float.isFinite(f)) {
                return new Rejection(NON_FINITE_FEATURE, "feature " + i + " is " + f);
            }
            if (Math.abs(f) > bound) {
                return new Rejection(
                        FEATURE_OUT_OF_RANGE,
                        "feature "
                                + i
                                + " is "
                                + f
                                + ", beyond +-"
                                + bound
                                + " (learner.validation.max-abs-feature)");
            }
        }
        return null;
    }

    private Rejection id(String field, String value) {
        IdCheck.Problem p =
                IdCheck.check(
                        field, value, limits.maxIdLength(), "learner.validation.max-id-length");
        return p == null ? null : new Rejection(p.code(), p.reason());
    }

    private static Result reject(String code, String reason) {
        return new Result(null, new Rejection(code, reason));
    }
}
