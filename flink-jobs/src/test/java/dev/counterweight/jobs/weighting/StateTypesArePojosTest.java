package dev.counterweight.jobs.weighting;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

import dev.counterweight.core.attribution.ExposureWindow;
import dev.counterweight.core.features.ActivityCounts;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import dev.counterweight.jobs.weighting.internal.CountState;
import dev.counterweight.jobs.weighting.internal.DueAt;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.PendingExposure;
import org.junit.jupiter.api.Test;

/**
 * Every type the job keeps in state or sends between operators is serialized by Flink's POJO
 * serializer, with no field falling back to Kryo (the job runs with generic types disabled, and a
 * Kryo fallback would also tie savepoints to Kryo's format). {@code ActivityCounts} and {@code
 * ExposureWindow} are core classes stored in 0.1.0 state; they are checked as they are.
 */
class StateTypesArePojosTest {

    @Test
    void stateAndNetworkTypesArePojosWithoutKryo() {
        assertSerializedAsPojoWithoutKryo(PendingExposure.class);
        assertSerializedAsPojoWithoutKryo(DueAt.class);
        assertSerializedAsPojoWithoutKryo(CountState.class);
        assertSerializedAsPojoWithoutKryo(ClassCountUpdate.class);
        assertSerializedAsPojoWithoutKryo(LabeledSample.class);
        assertSerializedAsPojoWithoutKryo(IngestedEvent.class);
        assertSerializedAsPojoWithoutKryo(ActivityCounts.class);
        assertSerializedAsPojoWithoutKryo(ExposureWindow.class);
    }
}
