package dev.counterweight.jobs.weighting.internal;

import dev.counterweight.avro.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** Side outputs of the weighting job. */
public final class Tags {

    /** Records that go to the dead-letter topic. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Per-class count updates for the weight table. */
    public static final OutputTag<ClassCountUpdate> CLASS_COUNTS =
            new OutputTag<>(
                    "class-counts",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(
                            ClassCountUpdate.class));

    private Tags() {}
}
