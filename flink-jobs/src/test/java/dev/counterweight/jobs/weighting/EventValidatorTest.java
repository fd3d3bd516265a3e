package dev.counterweight.jobs.weighting;

import static dev.counterweight.avro.fixtures.TestEvents.click;
import static dev.counterweight.avro.fixtures.TestEvents.impression;
import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.avro.WriterSchemas;
import dev.counterweight.jobs.weighting.EventValidator.Rejection;
import dev.counterweight.jobs.weighting.EventValidator.Result;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Every reason code of the validator, through the bytes a producer would write. */
class EventValidatorTest {

    private static final long MIN_EVENT_TIME = 946_684_800_000L;
    private static final long MAX_FUTURE = 3_600_000;
    private static final int MAX_STRING = 64;
    private static final int MAX_FEATURES = 8;
    private static final int MAX_BYTES = 4_096;

    /** Kafka record timestamp of the fixtures; their event time is a minute earlier. */
    private static final long RECORD_TS = 1_700_000_000_000L;

    private static final long EVENT_TS = RECORD_TS - 60_000;

    private static final AvroCodec<UserEvent> CODEC = AvroCodec.of(UserEvent.class);
    private static final EventValidator VALIDATOR =
            new EventValidator(
                    new EventValidator.Limits(
                            MIN_EVENT_TIME, MAX_FUTURE, MAX_STRING, MAX_FEATURES, MAX_BYTES));

    private static TestEvents.Builder shown() {
        return impression("u1", "i1").withId("e1").inCategory("c1");
    }

    private static Rejection rejectionOf(byte[] value) {
        Result r = VALIDATOR.validate(value, RECORD_TS);
        assertThat(r.event()).as("refused").isNull();
        return r.rejection();
    }

    private static Rejection rejectionOf(UserEvent event) {
        return rejectionOf(CODEC.encode(event));
    }

    @Test
    void aValidEventPasses() {
        UserEvent ok =
                shown().forRequest("r1")
                        .atPosition(0)
                        .pricedAt(0.0)
                        .withFeatures(1f, -2f)
                        .at(EVENT_TS);
        Result r = VALIDATOR.validate(CODEC.encode(ok), RECORD_TS);
        assertThat(r.rejection()).isNull();
        assertThat(r.event()).isEqualTo(ok);
        assertThat(VALIDATOR.validate(CODEC.encode(ok), -1).event())
                .as("no record timestamp: the future check is skipped")
                .isEqualTo(ok);
    }

    @Test
    void emptyValue() {
        assertThat(rejectionOf(new byte[0]).code()).isEqualTo(EventValidator.EMPTY_VALUE);
        assertThat(rejectionOf((byte[]) null).code()).isEqualTo(EventValidator.EMPTY_VALUE);
    }

    @Test
    void oversizedRecordNamesTheLimit() {
        Rejection r = rejectionOf(new byte[MAX_BYTES + 1]);
        assertThat(r.code()).isEqualTo(EventValidator.OVERSIZED_RECORD);
        assertThat(r.reason()).contains("validation.max-record-bytes");
    }

    @Test
    void wrongSchemaForAnotherTypeOrForeignBytes() {
        ClassWeights other =
                ClassWeights.newBuilder()
                        .setVersion(1)
                        .setStrategy("NONE")
                        .setComputedAt(Instant.ofEpochMilli(0))
                        .setHalfLifeMillis(1)
                        .setTotalCount(0)
                        .setEffectiveSampleSize(0)
                        .setImbalanceRatio(0)
                        .setFallbackWeight(1)
                        .setClasses(List.of())
                        .build();
        Rejection r = rejectionOf(AvroCodec.of(ClassWeights.class).encode(other));
        assertThat(r.code()).isEqualTo(EventValidator.WRONG_SCHEMA);
        assertThat(r.reason()).contains("fingerprint");
        assertThat(rejectionOf("{\"json\":true}".getBytes()).code())
                .as("no single-object header at all")
                .isEqualTo(EventValidator.WRONG_SCHEMA);
    }

    @Test
    void undecodableForATruncatedBody() {
        byte[] whole = CODEC.encode(shown().at(EVENT_TS));
        assertThat(rejectionOf(Arrays.copyOf(whole, whole.length - 4)).code())
                .isEqualTo(EventValidator.UNDECODABLE);
    }

    @Test
    void anEventOfAKnownWriterSchemaIsReadWithTheCurrentOne() {
        UserEvent event = shown().forRequest("r1").atPosition(2).at(EVENT_TS);
        byte[] v2 =
                WriterSchemas.encode(
                        WriterSchemas.testV2("UserEvent"), event, Map.of("channel", "web"));
        byte[] release010 =
                WriterSchemas.encode(WriterSchemas.released("UserEvent", "0.1.0"), event, Map.of());

        for (byte[] value : List.of(v2, release010)) {
            Result result = VALIDATOR.validate(value, RECORD_TS);
            assertThat(result.rejection()).isNull();
            assertThat(result.event()).isEqualTo(event);
        }
    }

    @Test
    void anUnknownWriterSchemaIsRefusedNamingItsFingerprint() {
        Schema unreleased = WriterSchemas.unreleased(UserEvent.getClassSchema());
        Rejection r =
                rejectionOf(
                        WriterSchemas.encode(
                                unreleased, shown().at(EVENT_TS), Map.of("unreleased", "v3")));

        assertThat(r.code()).isEqualTo(EventValidator.WRONG_SCHEMA);
        assertThat(r.reason())
                .startsWith(
                        "not a UserEvent: unknown writer schema fingerprint "
                                + AvroCodec.fingerprintHex(unreleased));
    }

    /**
     * A producer with a newer schema writes an event type this job does not know. The index of the
     * enum symbol is located by encoding two events that differ only in type.
     */
    @Test
    void unknownEnumSymbolIsUndecodable() {
        byte[] asImpression = CODEC.encode(shown().at(EVENT_TS));
        byte[] asClick = CODEC.encode(click("u1", "i1").withId("e1").inCategory("c1").at(EVENT_TS));
        assertThat(asClick).hasSameSizeAs(asImpression);
        int typeByte = -1;
        for (int i = 0; i < asImpression.length; i++) {
            if (asImpression[i] != asClick[i]) {
                assertThat(typeByte).as("exactly one byte differs").isEqualTo(-1);
                typeByte = i;
            }
        }
        assertThat(asImpression[typeByte]).as("zig-zag index 0").isEqualTo((byte) 0);
        assertThat(asClick[typeByte]).as("zig-zag index 1").isEqualTo((byte) 2);

        byte[] sixthSymbol = asImpression.clone();
        sixthSymbol[typeByte] = 10; // zig-zag 5: one past PURCHASE
        Rejection r = rejectionOf(sixthSymbol);
        assertThat(r.code()).isEqualTo(EventValidator.UNDECODABLE);
        assertThat(r.reason()).contains("Index 5 out of bounds");

        byte[] negative = asImpression.clone();
        negative[typeByte] = 1; // zig-zag -1
        assertThat(rejectionOf(negative).code()).isEqualTo(EventValidator.UNDECODABLE);
    }

    /**
     * A 40-byte record whose (last) features array claims {@code Integer.MAX_VALUE - 8} items. It
     * is small enough for {@code validation.max-record-bytes}, and Avro allocates the whole array
     * before reading an item, so unless the claim is refused, decoding throws {@link
     * OutOfMemoryError}: an {@code Error}, which the deserializer does not catch, so one poisoned
     * record would fail the job on every replay.
     */
    @Test
    void hugeArrayClaimIsRefusedNotDecodedIntoOutOfMemory() {
        byte[] body = CODEC.encode(shown().at(EVENT_TS));
        assertThat(body[body.length - 1])
                .as("empty features: block count 0 ends the body")
                .isZero();
        long claim = Integer.MAX_VALUE - 8L;
        byte[] poisoned = Arrays.copyOf(body, body.length - 1 + 5);
        long zigZag = claim << 1;
        for (int i = body.length - 1; i < poisoned.length; i++) {
            poisoned[i] = (byte) ((zigZag & 0x7F) | (i < poisoned.length - 1 ? 0x80 : 0));
            zigZag >>>= 7;
        }
        assertThat(poisoned.length).isLessThan(MAX_BYTES);

        Result r;
        try {
            r = VALIDATOR.validate(poisoned, RECORD_TS);
        } catch (OutOfMemoryError e) {
            // Not rethrown: JUnit treats OutOfMemoryError as fatal and would abort the run.
            throw new AssertionError(
                    "a " + poisoned.length + "-byte record exhausted the heap: " + e.getMessage());
        }
        assertThat(r.event()).isNull();
        assertThat(r.rejection().code()).isEqualTo(EventValidator.UNDECODABLE);
    }

    @Test
    void missingId() {
        assertThat(rejectionOf(shown().withId("").at(EVENT_TS)).code())
                .isEqualTo(EventValidator.MISSING_ID);
        Rejection blankUser = rejectionOf(impression(" ", "i1").at(EVENT_TS));
        assertThat(blankUser.code()).isEqualTo(EventValidator.MISSING_ID);
        assertThat(blankUser.reason()).contains("userId");
        assertThat(rejectionOf(shown().inCategory("").at(EVENT_TS)).reason())
                .contains("categoryId");
    }

    @Test
    void oversizedField() {
        String tooLong = "x".repeat(MAX_STRING + 1);
        Rejection item = rejectionOf(impression("u1", tooLong).withId("e1").at(EVENT_TS));
        assertThat(item.code()).isEqualTo(EventValidator.OVERSIZED_FIELD);
        assertThat(item.reason()).contains("itemId").contains("validation.max-string-length");
        assertThat(rejectionOf(shown().forRequest(tooLong).at(EVENT_TS)).code())
                .isEqualTo(EventValidator.OVERSIZED_FIELD);
        float[] nine = new float[MAX_FEATURES + 1];
        assertThat(rejectionOf(shown().withFeatures(nine).at(EVENT_TS)).code())
                .isEqualTo(EventValidator.OVERSIZED_FIELD);
        assertThat(
                        VALIDATOR
                                .validate(
                                        CODEC.encode(
                                                shown().withFeatures(new float[MAX_FEATURES])
                                                        .at(EVENT_TS)),
                                        RECORD_TS)
                                .event())
                .as("exactly the limit passes")
                .isNotNull();
    }

    @Test
    void badTimestampInThePastAndInTheFuture() {
        Rejection past = rejectionOf(shown().at(MIN_EVENT_TIME - 1));
        assertThat(past.code()).isEqualTo(EventValidator.BAD_TIMESTAMP);
        assertThat(past.reason()).contains("validation.min-event-time");

        Rejection future = rejectionOf(shown().at(RECORD_TS + MAX_FUTURE + 1));
        assertThat(future.code()).isEqualTo(EventValidator.BAD_TIMESTAMP);
        assertThat(future.reason()).contains("validation.max-future");

        assertThat(
                        VALIDATOR
                                .validate(
                                        CODEC.encode(shown().at(RECORD_TS + MAX_FUTURE)), RECORD_TS)
                                .event())
                .as("exactly max-future ahead passes")
                .isNotNull();
    }

    @Test
    void nonFiniteFeatureForNanAndInfinity() {
        assertThat(rejectionOf(shown().withFeatures(1f, Float.NaN).at(EVENT_TS)).code())
                .isEqualTo(EventValidator.NON_FINITE_FEATURE);
        Rejection inf = rejectionOf(shown().withFeatures(Float.POSITIVE_INFINITY).at(EVENT_TS));
        assertThat(inf.code()).isEqualTo(EventValidator.NON_FINITE_FEATURE);
        assertThat(inf.reason()).contains("feature 0");
        assertThat(rejectionOf(shown().withFeatures(Float.NEGATIVE_INFINITY).at(EVENT_TS)).code())
                .isEqualTo(EventValidator.NON_FINITE_FEATURE);
    }

    @Test
    void badPrice() {
        for (double price : new double[] {-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThat(rejectionOf(shown().pricedAt(price).at(EVENT_TS)).code())
                    .as("price %s", price)
                    .isEqualTo(EventValidator.BAD_PRICE);
        }
    }

    @Test
    void badPosition() {
        assertThat(rejectionOf(shown().atPosition(-1).at(EVENT_TS)).code())
                .isEqualTo(EventValidator.BAD_POSITION);
    }
}
