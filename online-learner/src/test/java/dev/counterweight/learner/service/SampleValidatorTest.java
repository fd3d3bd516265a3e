package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.avro.WriterSchemas;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad sample is refused with its reason; every edge of the limits is accepted. */
class SampleValidatorTest {

    private static final SampleValidator.Limits DEFAULTS =
            LearnerSettings.from(
                            Configuration.fromMap(
                                    java.util.Map.of(
                                            "learner.bootstrap-servers", "127.0.0.1:9092",
                                            "learner.snapshot-dir", "target/unused")))
                    .validation();
    private static final SampleValidator VALIDATOR = new SampleValidator(DEFAULTS);
    private static final AvroCodec<Sample> CODEC = AvroCodec.of(Sample.class);

    static Stream<BadSamples.Kind> corpus() {
        return BadSamples.corpus().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusesEveryKindOfBadSampleWithItsReason(BadSamples.Kind kind) {
        SampleValidator.Result result = VALIDATOR.validate(kind.value());

        assertThat(result.sample()).isNull();
        assertThat(result.rejection().code()).isEqualTo(kind.code());
        assertThat(result.rejection().reason()).isNotBlank();
    }

    @Test
    void corpusCoversEveryReasonCode() {
        Set<String> codes =
                BadSamples.corpus().stream().map(BadSamples.Kind::code).collect(Collectors.toSet());
        assertThat(BadSamples.corpus()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(codes)
                .containsExactlyInAnyOrder(
                        SampleValidator.EMPTY_VALUE,
                        SampleValidator.WRONG_SCHEMA,
                        SampleValidator.UNDECODABLE,
                        SampleValidator.WRONG_LAYOUT,
                        SampleValidator.MISSING_ID,
                        SampleValidator.OVERSIZED_FIELD,
                        SampleValidator.NON_FINITE_FEATURE,
                        SampleValidator.FEATURE_OUT_OF_RANGE,
                        SampleValidator.BAD_WEIGHT,
                        SampleValidator.BAD_CLASS_WEIGHT,
                        SampleValidator.BAD_SAMPLING_RATE,
                        SampleValidator.BAD_TABLE_VERSION);
    }

    @Test
    void reasonsNameTheFieldAndTheOption() {
        assertThat(reason(BadSamples.corpus(), "NaN feature")).isEqualTo("feature 0 is NaN");
        assertThat(reason(BadSamples.corpus(), "3e38 feature"))
                .contains("feature 2 is 3.0E38")
                .contains("learner.validation.max-abs-feature");
        assertThat(reason(BadSamples.corpus(), "weight 1e7"))
                .contains("weight 1.0E7")
                .contains("learner.validation.max-weight");
    }

    @Test
    void acceptsTheLimitsThemselves() {
        Sample good = BadSamples.good();
        List<Float> features = new ArrayList<>(good.getFeatures());
        features.set(0, (float) DEFAULTS.maxAbsFeature());
        features.set(1, (float) -DEFAULTS.maxAbsFeature());
        features.set(2, -0f);
        while (features.size() < DEFAULTS.maxFeatures()) {
            features.add(0f);
        }
        Sample edge =
                Sample.newBuilder(good)
                        .setFeatures(features)
                        .setWeight(DEFAULTS.maxWeight())
                        .setClassWeight(0.0)
                        .setSamplingRate(1.0)
                        .setWeightTableVersion(0)
                        .setUserId("u".repeat(DEFAULTS.maxIdLength()))
                        .build();
        Sample zeroWeight =
                Sample.newBuilder(good)
                        .setFeatures(features.subList(0, FeatureLayout.DENSE))
                        .setWeight(0.0)
                        .setSamplingRate(Double.MIN_VALUE)
                        .build();

        for (Sample s : List.of(good, edge, zeroWeight)) {
            SampleValidator.Result result = VALIDATOR.validate(CODEC.encode(s));
            assertThat(result.rejection()).as(s.getSampleId()).isNull();
            assertThat(result.sample()).isEqualTo(s);
        }
    }

    @Test
    void everyAcceptedSampleEncodesToAValidBatch() {
        ModelConfig config =
                new ModelConfig(10, 10, 10, 2, 16, new int[] {4}, 2, 0.01, 1L, false, 0);
        Sample good = BadSamples.good();
        List<Float> huge = new ArrayList<>(good.getFeatures());
        for (int i = 0; i < huge.size(); i++) {
            huge.set(i, i % 2 == 0 ? (float) DEFAULTS.maxAbsFeature() : -Float.MIN_VALUE);
        }
        Sample edge =
                Sample.newBuilder(good).setFeatures(huge).setWeight(DEFAULTS.maxWeight()).build();
        assertThat(VALIDATOR.check(edge)).isNull();

        Batch batch = new SampleEncoder(config).encode(List.of(good, edge));

        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.weight()[1]).isEqualTo((float) DEFAULTS.maxWeight());
        assertThat(batch.dense()[1][0]).isEqualTo((float) Math.log1p(DEFAULTS.maxAbsFeature()));
    }

    @Test
    void aSampleOfAKnownWriterSchemaIsReadWithTheCurrentOne() {
        Sample good = BadSamples.good();
        byte[] v2 =
                WriterSchemas.encode(
                        WriterSchemas.testV2("Sample"), good, Map.of("experiment", "exp-7"));
        byte[] release010 =
                WriterSchemas.encode(WriterSchemas.released("Sample", "0.1.0"), good, Map.of());

        for (byte[] value : List.of(v2, release010)) {
            SampleValidator.Result result = VALIDATOR.validate(value);
            assertThat(result.rejection()).isNull();
            assertThat(result.sample()).isEqualTo(good);
        }
    }

    @Test
    void anUnknownWriterSchemaIsRefusedNamingItsFingerprint() {
        Schema unreleased = WriterSchemas.unreleased(Sample.getClassSchema());
        SampleValidator.Result result =
                VALIDATOR.validate(
                        WriterSchemas.encode(
                                unreleased, BadSamples.good(), Map.of("unreleased", "v3")));

        assertThat(result.rejection().code()).isEqualTo(SampleValidator.WRONG_SCHEMA);
        assertThat(result.rejection().reason())
                .startsWith(
                        "not a Sample: unknown writer schema fingerprint "
                                + AvroCodec.fingerprintHex(unreleased));
    }

    @Test
    void limitsRefuseUnusableBounds() {
        assertThatThrownBy(() -> new SampleValidator.Limits(3, 1e6, 1e6, 10))
                .hasMessageContaining("maxFeatures");
        assertThatThrownBy(() -> new SampleValidator.Limits(100, Double.NaN, 1e6, 10))
                .hasMessageContaining("maxAbsFeature");
        assertThatThrownBy(() -> new SampleValidator.Limits(100, 1e6, 1e39, 10))
                .hasMessageContaining("maxWeight");
        assertThatThrownBy(() -> new SampleValidator.Limits(100, 1e6, 1e6, 0))
                .hasMessageContaining("maxIdLength");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(DEFAULTS)
                .isEqualTo(
                        new SampleValidator.Limits(
                                LearnerOptions.VALIDATION_MAX_FEATURES.defaultValue(),
                                LearnerOptions.VALIDATION_MAX_ABS_FEATURE.defaultValue(),
                                LearnerOptions.VALIDATION_MAX_WEIGHT.defaultValue(),
                                LearnerOptions.VALIDATION_MAX_ID_LENGTH.defaultValue()));
        assertThat(DEFAULTS.maxAbsFeature()).isEqualTo(1e9);
        assertThat(DEFAULTS.maxWeight()).isEqualTo(1e6);
    }

    private static String reason(List<BadSamples.Kind> corpus, String name) {
        BadSamples.Kind kind =
                corpus.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
        return VALIDATOR.validate(kind.value()).rejection().reason();
    }
}
