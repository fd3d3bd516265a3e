package dev.counterweight.learner.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublishingHoldTest {

    @Test
    void countsFromTheFirstRefusalUntilTheNextAnnouncement() {
        PublishingHold hold = new PublishingHold();
        assertThat(hold.heldBackMillis(5_000)).isZero();
        hold.heldBack(10_000);
        hold.heldBack(70_000);
        assertThat(hold.snapshots()).isEqualTo(2);
        assertThat(hold.heldBackMillis(100_000)).isEqualTo(90_000);
        hold.announced();
        assertThat(hold.snapshots()).isZero();
        assertThat(hold.heldBackMillis(200_000)).isZero();
        hold.heldBack(300_000);
        assertThat(hold.heldBackMillis(301_000)).isEqualTo(1_000);
    }
}
