package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The guard of {@link Harnesses#strict} fails a state type that would fall back to Kryo. */
class HarnessesTest {

    /** Not a POJO: no default constructor, a final field without setter. */
    static final class NotAPojo {
        final int value;

        NotAPojo(int value) {
            this.value = value;
        }
    }

    /** Keeps a {@link NotAPojo} in keyed state. */
    static final class KeepsGenericState extends KeyedProcessFunction<String, String, String> {
        private transient ValueState<NotAPojo> state;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            state =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("generic", NotAPojo.class));
        }

        @Override
        public void processElement(String value, Context ctx, Collector<String> out)
                throws Exception {
            state.update(new NotAPojo(value.length()));
            out.collect(value);
        }
    }

    @Test
    void aStateTypeThatNeedsKryoFailsInAStrictHarness() throws Exception {
        try (var h =
                Harnesses.strict(
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(new KeepsGenericState()),
                                (String s) -> s,
                                Types.STRING))) {
            assertThatThrownBy(
                            () -> {
                                h.open();
                                h.processElement("x", 1L);
                            })
                    .hasStackTraceContaining("Generic types have been disabled");
        }
    }
}
