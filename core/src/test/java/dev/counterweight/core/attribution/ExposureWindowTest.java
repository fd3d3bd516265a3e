package dev.counterweight.core.attribution;

import static dev.counterweight.core.attribution.ExposureWindow.Outcome.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExposureWindowTest {

    private static final AttributionRules RULES = new AttributionRules(1_000, 5_000);

    @Test
    void clickAndPurchaseInsideTheWindowSetTheLabels() {
        ExposureWindow w = ExposureWindow.open(100);
        assertThat(w.apply(Action.CLICK, 600, RULES)).isEqualTo(CLICK_ATTRIBUTED);
        assertThat(w.apply(Action.PURCHASE, 1_100, RULES)).isEqualTo(CONVERSION_ATTRIBUTED);
        assertThat(w.close()).isFalse();
        assertThat(w.clicked).isTrue();
        assertThat(w.converted).isTrue();
        assertThat(w.closesAt(RULES)).isEqualTo(1_100);
        assertThat(w.expiresAt(RULES)).isEqualTo(6_100);
    }

    @Test
    void purchaseImpliesClick() {
        ExposureWindow w = ExposureWindow.open(0);
        w.apply(Action.PURCHASE, 10, RULES);
        assertThat(w.clicked).isTrue();
    }

    @Test
    void cartAndFavSetNoLabel() {
        ExposureWindow w = ExposureWindow.open(0);
        assertThat(w.apply(Action.CART, 10, RULES)).isEqualTo(IGNORED);
        assertThat(w.apply(Action.FAV, 10, RULES)).isEqualTo(IGNORED);
        assertThat(w.clicked || w.converted).isFalse();
    }

    @Test
    void purchaseAfterClosedWindowIsACorrectionOnce() {
        ExposureWindow w = ExposureWindow.open(0);
        w.close();
        assertThat(w.apply(Action.PURCHASE, 3_000, RULES)).isEqualTo(CORRECTION);
        assertThat(w.apply(Action.PURCHASE, 3_500, RULES)).isEqualTo(IGNORED);
        assertThat(w.apply(Action.PURCHASE, 7_000, RULES)).isEqualTo(IGNORED);
    }

    @Test
    void purchaseBeyondTheHorizonIsIgnored() {
        ExposureWindow w = ExposureWindow.open(0);
        w.close();
        assertThat(w.apply(Action.PURCHASE, 6_001, RULES)).isEqualTo(IGNORED);
    }

    @Test
    void latePurchaseSeenBeforeTheTimerBecomesACorrectionAtClose() {
        ExposureWindow w = ExposureWindow.open(0);
        assertThat(w.apply(Action.PURCHASE, 2_000, RULES)).isEqualTo(CORRECTION_PENDING);
        assertThat(w.converted).as("window labels exclude the late purchase").isFalse();
        assertThat(w.close()).isTrue();
        assertThat(w.latePurchaseTime).isEqualTo(2_000);
    }

    @Test
    void exposureAfterTheWindowStartsANewOneAndInsideIsMerged() {
        ExposureWindow w = ExposureWindow.open(0);
        assertThat(w.apply(Action.EXPOSURE, 500, RULES)).isEqualTo(MERGED_EXPOSURE);
        w.close();
        assertThat(w.apply(Action.EXPOSURE, 1_001, RULES)).isEqualTo(NEW_EXPOSURE);
    }

    @Test
    void labelsDependOnEventTimesNotOnArrivalOrder() {
        // Reference: the rule evaluated directly on event times.
        Random random = new Random(11);
        for (int trial = 0; trial < 2_000; trial++) {
            long exposure = random.nextInt(1_000);
            List<long[]> actions = new ArrayList<>();
            int n = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                long kind = random.nextBoolean() ? 1 : 4; // CLICK or PURCHASE
                actions.add(new long[] {kind, exposure - 200 + random.nextInt(8_000)});
            }
            boolean expectClick = false;
            boolean expectConv = false;
            boolean expectCorrection = false;
            for (long[] a : actions) {
                boolean in = a[1] >= exposure && a[1] <= exposure + 1_000;
                boolean horizon = a[1] > exposure + 1_000 && a[1] <= exposure + 6_000;
                if (a[0] == 1 && in) {
                    expectClick = true;
                }
                if (a[0] == 4 && in) {
                    expectConv = true;
                    expectClick = true;
                }
                if (a[0] == 4 && horizon) {
                    expectCorrection = true;
                }
            }
            expectCorrection &= !expectConv;
            Collections.shuffle(actions, random);
            ExposureWindow w = ExposureWindow.open(exposure);
            int closeAt = random.nextInt(actions.size() + 1);
            boolean correction = false;
            boolean sampleClick = false;
            boolean sampleConv = false;
            for (int i = 0; i <= actions.size(); i++) {
                if (i == closeAt) {
                    sampleClick = w.clicked;
                    sampleConv = w.converted;
                    correction |= w.close();
                }
                if (i < actions.size()) {
                    long[] a = actions.get(i);
                    boolean inWindow = a[1] >= exposure && a[1] <= exposure + 1_000;
                    if (w.closed && inWindow) {
                        // In event time the timer cannot fire before in-window events arrive
                        // (they would be late); skip impossible orders.
                        continue;
                    }
                    correction |=
                            w.apply(a[0] == 1 ? Action.CLICK : Action.PURCHASE, a[1], RULES)
                                    == CORRECTION;
                }
            }
            if (actions.stream()
                    .anyMatch(
                            a ->
                                    a[1] >= exposure
                                            && a[1] <= exposure + 1_000
                                            && actions.indexOf(a) >= closeAt)) {
                continue; // the skipped cases above
            }
            assertThat(sampleClick).as("trial %d click", trial).isEqualTo(expectClick);
            assertThat(sampleConv).as("trial %d conversion", trial).isEqualTo(expectConv);
            assertThat(correction).as("trial %d correction", trial).isEqualTo(expectCorrection);
        }
    }

    @Test
    void negativeWindowIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new AttributionRules(-1, 0))
                .hasMessageContaining("attribution.window");
        assertThatThrownBy(() -> new AttributionRules(0, -1))
                .hasMessageContaining("attribution.correction-horizon");
    }

    @Test
    void hugeWindowsSaturateInsteadOfOverflowing() {
        ExposureWindow w = ExposureWindow.open(Long.MAX_VALUE - 10);
        AttributionRules rules = new AttributionRules(1_000, 1_000);
        assertThat(w.closesAt(rules)).isEqualTo(Long.MAX_VALUE);
        assertThat(w.expiresAt(rules)).isEqualTo(Long.MAX_VALUE);
    }
}
