package dev.counterweight.it.weighting;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.jobs.weighting.EventValidator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongFunction;

/**
 * A corpus of bad input records, each with the dead-letter reason code the job must give it. Values
 * are made at the stream time {@code now} where they carry an event time, so that a record is bad
 * for exactly one reason (and never merely late).
 */
final class BadRecords {

    /** One kind of bad record. */
    record Kind(String name, String code, LongFunction<byte[]> value) {}

    private static final AvroCodec<UserEvent> EVENTS = AvroCodec.of(UserEvent.class);

    private BadRecords() {}

    /** Every kind; the attribution ones use users and items of their own. */
    static List<Kind> all() {
        List<Kind> k = new ArrayList<>();
        // Bytes that are not a UserEvent.
        k.add(new Kind("random bytes", EventValidator.WRONG_SCHEMA, now -> randomBytes(64)));
        k.add(new Kind("empty value", EventValidator.EMPTY_VALUE, now -> new byte[0]));
        k.add(new Kind("null value (tombstone)", EventValidator.EMPTY_VALUE, now -> null));
        k.add(
                new Kind(
                        "marker bytes only",
                        EventValidator.WRONG_SCHEMA,
                        now -> Arrays.copyOf(valid(now), 2)));
        k.add(
                new Kind(
                        "header without body",
                        EventValidator.UNDECODABLE,
                        now -> Arrays.copyOf(valid(now), 10)));
        k.add(
                new Kind(
                        "truncated avro",
                        EventValidator.UNDECODABLE,
                        now -> {
                            byte[] v = valid(now);
                            return Arrays.copyOf(v, v.length / 2);
                        }));
        k.add(
                new Kind(
                        "valid header, body of 0xFF",
                        EventValidator.UNDECODABLE,
                        now -> {
                            byte[] v = Arrays.copyOf(valid(now), 40);
                            Arrays.fill(v, 10, v.length, (byte) 0xFF);
                            return v;
                        }));
        k.add(
                new Kind(
                        "negative string length",
                        EventValidator.UNDECODABLE,
                        now -> {
                            byte[] v = valid(now);
                            v[10] = 1; // zig-zag -1: the length of eventId
                            return v;
                        }));
        k.add(
                new Kind(
                        "wrong schema (DeadLetter)",
                        EventValidator.WRONG_SCHEMA,
                        now ->
                                AvroCodec.of(DeadLetter.class)
                                        .encode(
                                                DeadLetter.newBuilder()
                                                        .setReasonCode("x")
                                                        .setReason("x")
                                                        .setTopic("t")
                                                        .setPartition(0)
                                                        .setOffset(0)
                                                        .build())));
        k.add(
                new Kind(
                        "wrong schema (Sample)",
                        EventValidator.WRONG_SCHEMA,
                        now ->
                                AvroCodec.of(Sample.class)
                                        .encode(
                                                Sample.newBuilder()
                                                        .setSampleId("s")
                                                        .setUserId("u")
                                                        .setItemId("i")
                                                        .setCategoryId("c")
                                                        .setExposureTime(
                                                                java.time.Instant.ofEpochMilli(now))
                                                        .setClosedAt(
                                                                java.time.Instant.ofEpochMilli(now))
                                                        .setClick(false)
                                                        .setConversion(false)
                                                        .setClassKey("k")
                                                        .setFeatures(List.of())
                                                        .setWeight(1.0)
                                                        .build())));
        k.add(
                new Kind(
                        "unknown enum symbol",
                        EventValidator.UNDECODABLE,
                        now -> withEnumIndex(now, 20)));
        k.add(
                new Kind(
                        "negative enum index",
                        EventValidator.UNDECODABLE,
                        now -> withEnumIndex(now, -1)));
        // Decodable events with a bad field.
        k.add(event("empty eventId", EventValidator.MISSING_ID, now -> withId(base(now), "")));
        k.add(event("blank eventId", EventValidator.MISSING_ID, now -> withId(base(now), "   ")));
        k.add(
                event(
                        "empty userId",
                        EventValidator.MISSING_ID,
                        now -> TestEvents.impression("", "bad-i").at(now)));
        k.add(
                event(
                        "blank userId",
                        EventValidator.MISSING_ID,
                        now -> TestEvents.impression(" \t", "bad-i").at(now)));
        k.add(
                event(
                        "empty itemId",
                        EventValidator.MISSING_ID,
                        now -> TestEvents.impression("bad-u", "").at(now)));
        k.add(
                event(
                        "empty categoryId",
                        EventValidator.MISSING_ID,
                        now -> TestEvents.impression("bad-u", "bad-i").inCategory("").at(now)));
        k.add(
                event(
                        "negative timestamp",
                        EventValidator.BAD_TIMESTAMP,
                        now -> TestEvents.impression("bad-u", "bad-i").at(-1_000L)));
        k.add(
                event(
                        "timestamp before 2000",
                        EventValidator.BAD_TIMESTAMP,
                        now -> TestEvents.impression("bad-u", "bad-i").at(1_000L)));
        k.add(
                event(
                        "timestamp 2 h after the record timestamp",
                        EventValidator.BAD_TIMESTAMP,
                        now -> TestEvents.impression("bad-u", "bad-i").at(now + 7_200_000L)));
        k.add(
                event(
                        "NaN feature",
                        EventValidator.NON_FINITE_FEATURE,
                        now -> base(now, 1f, Float.NaN)));
        k.add(
                event(
                        "+Inf feature",
                        EventValidator.NON_FINITE_FEATURE,
                        now -> base(now, Float.POSITIVE_INFINITY)));
        k.add(
                event(
                        "-Inf feature",
                        EventValidator.NON_FINITE_FEATURE,
                        now -> base(now, 0f, 0f, Float.NEGATIVE_INFINITY)));
        k.add(
                event(
                        "too many features",
                        EventValidator.OVERSIZED_FIELD,
                        now -> base(now, new float[300])));
        k.add(
                event(
                        "oversized itemId",
                        EventValidator.OVERSIZED_FIELD,
                        now -> TestEvents.impression("bad-u", "i".repeat(100)).at(now)));
        k.add(
                event(
                        "oversized requestId",
                        EventValidator.OVERSIZED_FIELD,
                        now ->
                                TestEvents.impression("bad-u", "bad-i")
                                        .forRequest("r".repeat(100))
                                        .at(now)));
        k.add(
                event(
                        "1 MB string",
                        EventValidator.OVERSIZED_RECORD,
                        now ->
                                TestEvents.impression("u".repeat(1_000_000), "bad-i")
                                        .withId("one-megabyte-user")
                                        .at(now)));
        k.add(
                event(
                        "oversized record (80 KB of features)",
                        EventValidator.OVERSIZED_RECORD,
                        now -> base(now, new float[20_000])));
        k.add(
                event(
                        "negative price",
                        EventValidator.BAD_PRICE,
                        now -> TestEvents.impression("bad-u", "bad-i").pricedAt(-1.0).at(now)));
        k.add(
                event(
                        "NaN price",
                        EventValidator.BAD_PRICE,
                        now ->
                                TestEvents.impression("bad-u", "bad-i")
                                        .pricedAt(Double.NaN)
                                        .at(now)));
        k.add(
                event(
                        "infinite price",
                        EventValidator.BAD_PRICE,
                        now ->
                                TestEvents.impression("bad-u", "bad-i")
                                        .pricedAt(Double.POSITIVE_INFINITY)
                                        .at(now)));
        k.add(
                event(
                        "negative position",
                        EventValidator.BAD_POSITION,
                        now -> TestEvents.impression("bad-u", "bad-i").atPosition(-3).at(now)));
        // Valid events that only attribution can reject.
        k.add(
                event(
                        "click without exposure",
                        EventValidator.CLICK_WITHOUT_EXPOSURE,
                        now -> TestEvents.click("orphan-clicker", "never-shown").at(now)));
        k.add(
                event(
                        "purchase without exposure",
                        EventValidator.PURCHASE_WITHOUT_EXPOSURE,
                        now -> TestEvents.purchase("orphan-buyer", "never-shown").at(now)));
        // Was a poison pill: the dead letter of a record above the DLQ sink's max.request.size
        // (1 MiB) could not be written. The raw value kept is now capped.
        k.add(
                event(
                        "2 MB record (dead letter above the sink's max.request.size)",
                        EventValidator.OVERSIZED_RECORD,
                        now ->
                                TestEvents.impression("u".repeat(2_000_000), "bad-i")
                                        .withId("two-megabyte-user")
                                        .at(now)));
        return k;
    }

    private static Kind event(String name, String code, LongFunction<UserEvent> event) {
        return new Kind(name, code, now -> EVENTS.encode(event.apply(now)));
    }

    private static UserEvent base(long now, float... features) {
        return TestEvents.impression("bad-u", "bad-i").withFeatures(features).at(now);
    }

    private static UserEvent withId(UserEvent e, String id) {
        e.setEventId(id);
        return e;
    }

    private static byte[] valid(long now) {
        return EVENTS.encode(TestEvents.impression("bad-u", "bad-i").at(now));
    }

    /**
     * A valid event with its enum index replaced: the only byte in which an impression and a click
     * with the same fields differ.
     */
    private static byte[] withEnumIndex(long now, int index) {
        UserEvent shown = TestEvents.impression("bad-u", "bad-i").withId("e").at(now);
        UserEvent clicked = TestEvents.click("bad-u", "bad-i").withId("e").at(now);
        clicked.setType(EventType.CLICK);
        byte[] a = EVENTS.encode(shown);
        byte[] b = EVENTS.encode(clicked);
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                a[i] = (byte) ((index << 1) ^ (index >> 31)); // zig-zag varint, one byte
                return a;
            }
        }
        throw new IllegalStateException("no enum byte found");
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(5).nextBytes(b);
        b[0] = 0x42; // never the single-object marker 0xC3 0x01
        return b;
    }
}
