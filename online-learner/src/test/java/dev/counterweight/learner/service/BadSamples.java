package dev.counterweight.learner.service;

import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The corpus of records a learner must dead-letter rather than train on: each with the value bytes
 * a producer could write to {@code weighted-samples} and the reason code the learner must give.
 */
final class BadSamples {

    /**
     * One kind of bad record.
     *
     * @param name what is wrong, for test names and messages
     * @param value the record value (null for a tombstone)
     * @param code the expected {@code DeadLetter.reasonCode}
     */
    record Kind(String name, byte[] value, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final AvroCodec<Sample> CODEC = AvroCodec.of(Sample.class);

    private BadSamples() {}

    /** A valid sample to start from. */
    static Sample good() {
        return SyntheticSamples.learnable(1, 99).get(0);
    }

    /** Every kind, built from {@link #good()} with the default validation limits. */
    static List<Kind> corpus() {
        List<Kind> out = new ArrayList<>();
        byte[] good = CODEC.encode(good());
        out.add(new Kind("empty value", new byte[0], SampleValidator.EMPTY_VALUE));
        out.add(new Kind("tombstone (null value)", null, SampleValidator.EMPTY_VALUE));
        out.add(
                new Kind(
                        "plain text",
                        "{\"weight\": 1.0}".getBytes(StandardCharsets.UTF_8),
                        SampleValidator.WRONG_SCHEMA));
        UserEvent event = TestEvents.impression("u1", "i1").at(1_000);
        out.add(
                new Kind(
                        "a UserEvent on the samples topic",
                        AvroCodec.of(UserEvent.class).encode(event),
                        SampleValidator.WRONG_SCHEMA));
        out.add(
                new Kind(
                        "truncated Sample",
                        Arrays.copyOf(good, good.length / 2),
                        SampleValidator.UNDECODABLE));
        out.add(
                sample(
                        "other feature layout",
                        s -> s.setFeatureFingerprint("cw0:old-layout"),
                        SampleValidator.WRONG_LAYOUT));
        out.add(
                sample(
                        "no feature layout (writer default)",
                        s -> s.setFeatureFingerprint(""),
                        SampleValidator.WRONG_LAYOUT));
        out.add(
                sample(
                        "fewer features than the layout's fixed positions",
                        s -> s.setFeatures(List.of(1f, 2f, 3f)),
                        SampleValidator.WRONG_LAYOUT));
        out.add(
                sample(
                        "2000 features",
                        s -> s.setFeatures(Collections.nCopies(2000, 1f)),
                        SampleValidator.OVERSIZED_FIELD));
        out.add(sample("blank userId", s -> s.setUserId("  "), SampleValidator.MISSING_ID));
        out.add(sample("empty categoryId", s -> s.setCategoryId(""), SampleValidator.MISSING_ID));
        out.add(
                sample(
                        "itemId of 300 chars",
                        s -> s.setItemId("i".repeat(300)),
                        SampleValidator.OVERSIZED_FIELD));
        out.add(feature("NaN feature", 0, Float.NaN, SampleValidator.NON_FINITE_FEATURE));
        out.add(
                feature(
                        "+Inf feature",
                        1,
                        Float.POSITIVE_INFINITY,
                        SampleValidator.NON_FINITE_FEATURE));
        out.add(
                feature(
                        "-Inf feature beyond the model's dense width",
                        13,
                        Float.NEGATIVE_INFINITY,
                        SampleValidator.NON_FINITE_FEATURE));
        out.add(feature("3e38 feature", 2, 3e38f, SampleValidator.FEATURE_OUT_OF_RANGE));
        out.add(feature("-2e9 feature", 3, -2e9f, SampleValidator.FEATURE_OUT_OF_RANGE));
        out.add(sample("NaN weight", s -> s.setWeight(Double.NaN), SampleValidator.BAD_WEIGHT));
        out.add(
                sample(
                        "+Inf weight",
                        s -> s.setWeight(Double.POSITIVE_INFINITY),
                        SampleValidator.BAD_WEIGHT));
        out.add(sample("negative weight", s -> s.setWeight(-1.0), SampleValidator.BAD_WEIGHT));
        out.add(sample("weight 1e7", s -> s.setWeight(1e7), SampleValidator.BAD_WEIGHT));
        out.add(
                sample(
                        "NaN class weight",
                        s -> s.setClassWeight(Double.NaN),
                        SampleValidator.BAD_CLASS_WEIGHT));
        out.add(
                sample(
                        "negative class weight",
                        s -> s.setClassWeight(-0.5),
                        SampleValidator.BAD_CLASS_WEIGHT));
        out.add(
                sample(
                        "sampling rate 0",
                        s -> s.setSamplingRate(0.0),
                        SampleValidator.BAD_SAMPLING_RATE));
        out.add(
                sample(
                        "sampling rate 1.5",
                        s -> s.setSamplingRate(1.5),
                        SampleValidator.BAD_SAMPLING_RATE));
        out.add(
                sample(
                        "NaN sampling rate",
                        s -> s.setSamplingRate(Double.NaN),
                        SampleValidator.BAD_SAMPLING_RATE));
        out.add(
                sample(
                        "negative weight-table version",
                        s -> s.setWeightTableVersion(-1),
                        SampleValidator.BAD_TABLE_VERSION));
        return out;
    }

    private static Kind feature(String name, int index, float value, String code) {
        return sample(
                name,
                s -> {
                    List<Float> f = new ArrayList<>(s.getFeatures());
                    f.set(index, value);
                    return s.setFeatures(f);
                },
                code);
    }

    private static Kind sample(String name, UnaryOperator<Sample.Builder> change, String code) {
        return new Kind(name, CODEC.encode(change.apply(Sample.newBuilder(good())).build()), code);
    }
}
