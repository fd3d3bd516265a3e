package dev.counterweight.jobs.weighting;

import static dev.counterweight.avro.fixtures.TestEvents.cart;
import static dev.counterweight.avro.fixtures.TestEvents.click;
import static dev.counterweight.avro.fixtures.TestEvents.impression;
import static dev.counterweight.avro.fixtures.TestEvents.purchase;
import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.keyedStateEntries;
import static dev.counterweight.jobs.weighting.Harnesses.keysWithState;
import static dev.counterweight.jobs.weighting.Harnesses.sideValues;
import static dev.counterweight.jobs.weighting.Harnesses.values;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static dev.counterweight.jobs.weighting.IngestedEvents.readAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.jobs.weighting.Harnesses.Emitted;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Attribution per user on RocksDB: labels, corrections, dead letters, order, cleanup, restore. */
class AttributeLabelsFunctionTest {

    private static final long WINDOW = 30_000;
    private static final long HORIZON = 120_000;
    private static final HalfLife HALF_LIFE = HalfLife.of(Duration.ofMinutes(10));
    private static final double PRIOR_CLICKS = 1.0;
    private static final double PRIOR_EXPOSURES = 20.0;

    /**
     * An exposure at {@link #SHOWN_AT} closes at {@link #CLOSES} and expires at {@link #EXPIRES}.
     */
    private static final long SHOWN_AT = 1_000;

    private static final long CLOSES = SHOWN_AT + WINDOW;
    private static final long EXPIRES = CLOSES + HORIZON;

    private static final AvroCodec<UserEvent> CODEC = AvroCodec.of(UserEvent.class);

    private static KeyedOneInputStreamOperatorTestHarness<String, IngestedEvent, LabeledSample>
            harness() throws Exception {
        var h =
                Harnesses.strict(
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new AttributeLabelsFunction(
                                                new AttributionRules(WINDOW, HORIZON),
                                                HALF_LIFE,
                                                PRIOR_CLICKS,
                                                PRIOR_EXPOSURES,
                                                Duration.ofDays(7))),
                                (IngestedEvent e) -> e.event.getUserId(),
                                Types.STRING));
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    @Test
    void clickInsideTheWindowLabelsTheExposureWhenTheWindowCloses() throws Exception {
        UserEvent shown =
                impression("u1", "i1")
                        .inCategory("c7")
                        .atPosition(3)
                        .pricedAt(9.0)
                        .withFeatures(0.5f, 2f)
                        .at(SHOWN_AT);
        UserEvent clicked = click("u1", "i1").inCategory("c7").at(SHOWN_AT + 4_000);
        try (var h = harness()) {
            h.open();
            assertThat(h.getOperator().getKeyedStateBackend())
                    .isInstanceOf(RocksDBKeyedStateBackend.class);
            h.processElement(readAt(10, shown), SHOWN_AT);
            h.processElement(readAt(11, clicked), SHOWN_AT + 4_000);
            assertThat(h.numEventTimeTimers()).as("one buffer timer per event time").isEqualTo(2);

            h.processWatermark(CLOSES - 1);
            assertThat(values(h)).as("nothing before the window closes").isEmpty();
            assertThat(h.numEventTimeTimers()).as("close and expiry timers").isEqualTo(2);

            h.processWatermark(CLOSES);
            assertThat(Harnesses.output(h))
                    .filteredOn(Emitted.class::isInstance)
                    .singleElement()
                    .satisfies(e -> assertThat(((Emitted) e).timestamp).isEqualTo(CLOSES));
            LabeledSample s = values(h).get(0);
            assertThat(s.sampleId).isEqualTo(shown.getEventId());
            assertThat(s.userId).isEqualTo("u1");
            assertThat(s.itemId).isEqualTo("i1");
            assertThat(s.categoryId).isEqualTo("c7");
            assertThat(s.requestId).isNull();
            assertThat(s.exposureTime).isEqualTo(SHOWN_AT);
            assertThat(s.closedAt).isEqualTo(CLOSES);
            assertThat(s.click).isTrue();
            assertThat(s.conversion).isFalse();
            assertThat(s.correction).isFalse();
            float[] features = new float[FeatureLayout.DENSE + 2];
            features[FeatureLayout.USER + 3] = (float) (PRIOR_CLICKS / PRIOR_EXPOSURES);
            features[FeatureLayout.LOG_PRICE] = (float) Math.log1p(9.0);
            features[FeatureLayout.POSITION] = 3f;
            features[FeatureLayout.DENSE] = 0.5f;
            features[FeatureLayout.DENSE + 1] = 2f;
            assertThat(s.features)
                    .as("first sample of the user: no activity, prior CTR; item and category later")
                    .containsExactly(features);
            assertThat(s.sourcePartitions).containsExactly(0, 0);
            assertThat(s.sourceOffsets).containsExactly(10L, 11L);
            assertThat(sideValues(h, Tags.DEAD_LETTERS)).isEmpty();

            h.processWatermark(EXPIRES - 1);
            assertThat(keysWithState(h, AttributeLabelsFunction.PENDING))
                    .as("kept until no correction can follow")
                    .containsExactly("u1");
            assertThat(h.numEventTimeTimers()).as("expiry timer").isEqualTo(1);

            h.processWatermark(EXPIRES);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(keysWithState(h, AttributeLabelsFunction.PENDING)).isEmpty();
            assertThat(keysWithState(h, AttributeLabelsFunction.DUE)).isEmpty();
            assertThat(keysWithState(h, AttributeLabelsFunction.USER_ACTIVITY))
                    .as("user activity stays: it expires by features.state-ttl, not by a timer")
                    .containsExactly("u1");
            assertThat(keyedStateEntries(h))
                    .as(
                            "exposure state and event buffer removed after expiry; only the"
                                    + " TTL'd user-activity entry of u1 remains")
                    .isEqualTo(1);
            assertThat(values(h)).hasSize(1);
        }
    }

    @Test
    void purchaseAfterTheWindowEmitsACorrectionOfTheClosedSample() throws Exception {
        long purchasedAt = CLOSES + 10_000;
        UserEvent shown = impression("u1", "i1").at(SHOWN_AT);
        UserEvent bought = purchase("u1", "i1").at(purchasedAt);
        try (var h = harness()) {
            h.open();
            h.processElement(readAt(0, shown), SHOWN_AT);
            h.processElement(readAt(1, bought), purchasedAt);
            h.processWatermark(EXPIRES + 1);

            List<LabeledSample> out = values(h);
            assertThat(out)
                    .extracting(
                            s -> s.sampleId,
                            s -> s.closedAt,
                            s -> s.click,
                            s -> s.conversion,
                            s -> s.correction)
                    .containsExactly(
                            tuple(shown.getEventId(), CLOSES, false, false, false),
                            tuple(
                                    shown.getEventId() + "#correction",
                                    purchasedAt,
                                    true,
                                    true,
                                    true));
            LabeledSample correction = out.get(1);
            assertThat(correction.sourceOffsets).containsExactly(0L, 1L);
            double decayedExposure = Math.pow(0.5, (purchasedAt - CLOSES) / 600_000.0);
            assertThat(correction.features[FeatureLayout.USER])
                    .as("the closed sample counted once for the user, decayed to the purchase")
                    .isCloseTo((float) decayedExposure, within(1e-6f));
            assertThat(correction.features[FeatureLayout.USER + 1]).isZero();
            assertThat(Harnesses.output(h))
                    .filteredOn(Emitted.class::isInstance)
                    .extracting(e -> ((Emitted) e).timestamp)
                    .containsExactly(CLOSES, purchasedAt);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(keysWithState(h, AttributeLabelsFunction.PENDING)).isEmpty();
        }
    }

    @Test
    void purchaseAtTheEndOfTheHorizonIsCorrectedAndOneLaterIsDeadLettered() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(readAt(0, impression("u1", "i1").at(SHOWN_AT)), SHOWN_AT);
            h.processElement(readAt(1, purchase("u1", "i1").at(EXPIRES)), EXPIRES);
            h.processElement(readAt(2, impression("u2", "i1").at(SHOWN_AT)), SHOWN_AT);
            h.processElement(readAt(3, purchase("u2", "i1").at(EXPIRES + 1)), EXPIRES + 1);
            h.processWatermark(EXPIRES + 1);

            assertThat(values(h))
                    .extracting(s -> s.userId + ":" + s.sampleId.endsWith("#correction"))
                    .containsExactlyInAnyOrder("u1:false", "u1:true", "u2:false");
            assertThat(sideValues(h, Tags.DEAD_LETTERS))
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.getReasonCode())
                                        .isEqualTo(EventValidator.PURCHASE_WITHOUT_EXPOSURE);
                                assertThat(d.getOffset()).isEqualTo(3L);
                            });
            assertThat(keyedStateEntries(h))
                    .as("only the TTL'd activity of u1 and u2")
                    .isEqualTo(2);
        }
    }

    @Test
    void clickWithoutExposureIsDeadLetteredAndCartWithoutExposureIsDropped() throws Exception {
        UserEvent orphanClick = click("u2", "i9").at(2_000);
        try (var h = harness()) {
            h.open();
            h.processElement(readAt(7, orphanClick), 2_000);
            h.processElement(readAt(8, cart("u2", "i9").at(2_500)), 2_500);
            h.processWatermark(3_000);

            assertThat(values(h)).isEmpty();
            DeadLetter d = sideValues(h, Tags.DEAD_LETTERS).get(0);
            assertThat(sideValues(h, Tags.DEAD_LETTERS)).hasSize(1);
            assertThat(d.getReasonCode()).isEqualTo(EventValidator.CLICK_WITHOUT_EXPOSURE);
            assertThat(d.getReason()).contains("CLICK of item i9 by user u2");
            assertThat(d.getTopic()).isEqualTo(IngestedEvents.TOPIC);
            assertThat(d.getPartition()).isZero();
            assertThat(d.getOffset()).isEqualTo(7L);
            byte[] raw = new byte[d.getRawValue().remaining()];
            d.getRawValue().duplicate().get(raw);
            assertThat(CODEC.decode(raw)).as("the event itself, re-encoded").isEqualTo(orphanClick);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(keyedStateEntries(h)).as("nothing kept for an unattributable user").isZero();
        }
    }

    @Test
    void clickArrivingBeforeItsExposureIsAttributedAsIfInOrder() throws Exception {
        UserEvent shown = impression("u1", "i1").at(SHOWN_AT);
        UserEvent clicked = click("u1", "i1").at(SHOWN_AT + 2_000);
        UserEvent shownLater = impression("u1", "i2").at(SHOWN_AT + 3_000);
        UserEvent boughtLate = purchase("u1", "i2").at(SHOWN_AT + 3_000 + WINDOW + 5_000);
        List<Step<IngestedEvent>> inOrder =
                List.of(
                        element(readAt(0, shown), SHOWN_AT),
                        element(readAt(1, clicked), SHOWN_AT + 2_000),
                        element(readAt(2, shownLater), SHOWN_AT + 3_000),
                        element(readAt(3, boughtLate), SHOWN_AT + 3_000 + WINDOW + 5_000),
                        watermark(EXPIRES + 10_000));
        List<Step<IngestedEvent>> reordered =
                List.of(
                        element(readAt(3, boughtLate), SHOWN_AT + 3_000 + WINDOW + 5_000),
                        element(readAt(1, clicked), SHOWN_AT + 2_000),
                        element(readAt(2, shownLater), SHOWN_AT + 3_000),
                        element(readAt(0, shown), SHOWN_AT),
                        watermark(EXPIRES + 10_000));

        Harnesses.Run expected =
                Harnesses.uninterrupted(
                        AttributeLabelsFunctionTest::harness, inOrder, Tags.DEAD_LETTERS);
        Harnesses.Run actual =
                Harnesses.uninterrupted(
                        AttributeLabelsFunctionTest::harness, reordered, Tags.DEAD_LETTERS);

        assertSameOutput(actual, expected);
        assertThat(actual.main())
                .filteredOn(Emitted.class::isInstance)
                .extracting(e -> (LabeledSample) ((Emitted) e).value)
                .extracting(s -> s.sampleId + " click=" + s.click + " conversion=" + s.conversion)
                .containsExactly(
                        shown.getEventId() + " click=true conversion=false",
                        shownLater.getEventId() + " click=false conversion=false",
                        shownLater.getEventId() + "#correction click=true conversion=true");
        assertThat(actual.sides().get(Tags.DEAD_LETTERS.getId())).isEmpty();
    }

    /** Three users, windows open across the cut, a correction and a dead letter. */
    private static List<Step<IngestedEvent>> threeUsers() {
        return List.of(
                element(readAt(0, impression("u1", "i1").at(1_000)), 1_000),
                element(readAt(1, click("u1", "i1").at(4_000)), 4_000),
                element(readAt(2, impression("u2", "i2").forRequest("r9").at(2_000)), 2_000),
                watermark(3_000),
                element(readAt(3, impression("u1", "i3").at(5_000)), 5_000),
                element(readAt(4, purchase("u2", "i2").forRequest("r9").at(45_000)), 45_000),
                element(readAt(5, click("u3", "i4").at(6_000)), 6_000),
                watermark(20_000),
                element(readAt(6, click("u1", "i3").at(21_000)), 21_000),
                watermark(40_000),
                element(readAt(7, purchase("u1", "i1").at(50_000)), 50_000),
                watermark(60_000),
                watermark(300_000));
    }

    @Test
    void snapshotThenRestoreGivesTheSameOutputAsAnUninterruptedRun() throws Exception {
        Harnesses.Run expected =
                Harnesses.uninterrupted(
                        AttributeLabelsFunctionTest::harness, threeUsers(), Tags.DEAD_LETTERS);
        assertThat(expected.main()).filteredOn(Emitted.class::isInstance).hasSize(5);
        assertThat(expected.sides().get(Tags.DEAD_LETTERS.getId())).hasSize(1);

        List<Integer> cuts = new ArrayList<>();
        for (int split = 1; split < threeUsers().size(); split++) {
            cuts.add(split);
        }
        for (int split : cuts) {
            Harnesses.Run restored =
                    Harnesses.restoredAfter(
                            split,
                            AttributeLabelsFunctionTest::harness,
                            threeUsers(),
                            Tags.DEAD_LETTERS);
            assertSameOutput(restored, expected);
        }
    }
}
