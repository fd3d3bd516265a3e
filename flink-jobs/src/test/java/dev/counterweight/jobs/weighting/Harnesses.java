package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Shared plumbing of the operator-harness tests: scripted input (elements and watermarks), output
 * with timestamps, keyed-state inspection on heap and RocksDB, and the snapshot-then-restore run.
 */
final class Harnesses {

    private Harnesses() {}

    /** One step of a scripted input. */
    sealed interface Step<T> permits Element, Second, Mark {}

    /** An element with its record timestamp. */
    record Element<T>(T value, long timestamp) implements Step<T> {}

    /** An element of the second input of a two-input operator, with its record timestamp. */
    record Second<T>(Object value, long timestamp) implements Step<T> {}

    /** A watermark (to both inputs of a two-input operator). */
    record Mark<T>(long watermark) implements Step<T> {}

    static <T> Step<T> element(T value, long timestamp) {
        return new Element<>(value, timestamp);
    }

    static <T> Step<T> second(Object value, long timestamp) {
        return new Second<>(value, timestamp);
    }

    static <T> Step<T> watermark(long watermark) {
        return new Mark<>(watermark);
    }

    /**
     * An output record and its timestamp. A class, not a record, so that the recursive comparison
     * looks into values without {@code equals} (the POJOs between operators).
     */
    static final class Emitted {
        final Object value;
        final long timestamp;

        Emitted(Object value, long timestamp) {
            this.value = value;
            this.timestamp = timestamp;
        }

        @Override
        public String toString() {
            return value + " @" + timestamp;
        }
    }

    /**
     * The harness with generic types disabled ({@code pipeline.generic-types: false}, as the job
     * runs): a state type that would fall back to Kryo fails when its state is first used, here
     * rather than only in a MiniCluster. Call before {@code open()}.
     */
    static <H extends AbstractStreamOperatorTestHarness<?>> H strict(H harness) {
        Configuration job = new Configuration();
        job.set(PipelineOptions.GENERIC_TYPES, false);
        harness.getExecutionConfig().configure(job, Harnesses.class.getClassLoader());
        if (!harness.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()) {
            throw new IllegalStateException("generic types still enabled");
        }
        return harness;
    }

    /** Creates a harness that is not opened yet (state backend already chosen). */
    @FunctionalInterface
    interface Factory<H extends AbstractStreamOperatorTestHarness<?>> {
        H create() throws Exception;
    }

    @SuppressWarnings("unchecked")
    static <IN> void feed(OneInputStreamOperatorTestHarness<IN, ?> harness, List<Step<IN>> steps)
            throws Exception {
        for (Step<IN> step : steps) {
            if (step instanceof Element<IN> e) {
                harness.processElement(e.value(), e.timestamp());
            } else {
                harness.processWatermark(((Mark<IN>) step).watermark());
            }
        }
    }

    /** Feeds a two-input harness: {@link Second} steps to input 2, watermarks to both. */
    @SuppressWarnings("unchecked")
    static <IN, IN2> void feed(
            TwoInputStreamOperatorTestHarness<IN, IN2, ?> harness, List<Step<IN>> steps)
            throws Exception {
        for (Step<IN> step : steps) {
            if (step instanceof Element<IN> e) {
                harness.processElement1(e.value(), e.timestamp());
            } else if (step instanceof Second<IN> s) {
                harness.processElement2(new StreamRecord<>((IN2) s.value(), s.timestamp()));
            } else {
                harness.processBothWatermarks(
                        new org.apache.flink.streaming.api.watermark.Watermark(
                                ((Mark<IN>) step).watermark()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <IN> void feedAny(AbstractStreamOperatorTestHarness<?> harness, List<Step<IN>> s)
            throws Exception {
        if (harness instanceof TwoInputStreamOperatorTestHarness<?, ?, ?> two) {
            feed((TwoInputStreamOperatorTestHarness<IN, Object, ?>) two, s);
        } else {
            feed((OneInputStreamOperatorTestHarness<IN, ?>) harness, s);
        }
    }

    /** The main output in order: {@link Emitted} records and the forwarded watermarks. */
    static List<Object> output(AbstractStreamOperatorTestHarness<?> harness) {
        List<Object> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            out.add(
                    o instanceof StreamRecord<?> r
                            ? new Emitted(r.getValue(), r.getTimestamp())
                            : o);
        }
        return out;
    }

    /** The main output values only. */
    @SuppressWarnings("unchecked")
    static <T> List<T> values(AbstractStreamOperatorTestHarness<T> harness) {
        return (List<T>) harness.extractOutputValues();
    }

    /** The values of one side output, in order; empty if nothing was sent to it. */
    static <X> List<X> sideValues(AbstractStreamOperatorTestHarness<?> harness, OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
        List<X> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    static List<Emitted> side(AbstractStreamOperatorTestHarness<?> harness, OutputTag<?> tag) {
        Queue<? extends StreamRecord<?>> records = harness.getSideOutput(tag);
        List<Emitted> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(new Emitted(r.getValue(), r.getTimestamp())));
        }
        return out;
    }

    /**
     * All keyed state entries, whatever the backend ({@code numKeyedStateEntries()} of the harness
     * supports heap only). On heap a map state counts once per key, on RocksDB once per map entry:
     * compare with zero or with a number of value-state entries only.
     */
    static int keyedStateEntries(AbstractStreamOperatorTestHarness<?> harness) {
        KeyedStateBackend<?> backend = harness.getOperator().getKeyedStateBackend();
        if (backend instanceof RocksDBKeyedStateBackend<?> rocks) {
            return rocks.numKeyValueStateEntries();
        }
        return ((HeapKeyedStateBackend<?>) backend).numKeyValueStateEntries();
    }

    /** The keys that have an entry in the named keyed state. */
    static List<Object> keysWithState(AbstractStreamOperatorTestHarness<?> harness, String state) {
        KeyedStateBackend<Object> backend = harness.getOperator().getKeyedStateBackend();
        try (Stream<Object> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
            return new ArrayList<>(keys.toList());
        }
    }

    /** Main and side outputs of one run of a script. */
    record Run(List<Object> main, Map<String, List<Emitted>> sides) {}

    /** Runs the whole script on one harness. */
    static <IN, H extends AbstractStreamOperatorTestHarness<?>> Run uninterrupted(
            Factory<H> factory, List<Step<IN>> script, OutputTag<?>... tags) throws Exception {
        try (H harness = factory.create()) {
            harness.open();
            feedAny(harness, script);
            return collect(List.of(harness), tags);
        }
    }

    /**
     * Runs the first {@code split} steps, snapshots, closes, restores a new harness from the
     * snapshot and runs the rest on it; the outputs of both harnesses, concatenated.
     */
    static <IN, H extends AbstractStreamOperatorTestHarness<?>> Run restoredAfter(
            int split, Factory<H> factory, List<Step<IN>> script, OutputTag<?>... tags)
            throws Exception {
        H before = factory.create();
        before.open();
        feedAny(before, script.subList(0, split));
        OperatorSubtaskState snap = before.snapshot(1L, 1L);
        before.close();

        try (H after = factory.create()) {
            after.initializeState(snap);
            after.open();
            feedAny(after, script.subList(split, script.size()));
            return collect(List.of(before, after), tags);
        }
    }

    private static Run collect(
            List<? extends AbstractStreamOperatorTestHarness<?>> harnesses, OutputTag<?>... tags) {
        List<Object> main = new ArrayList<>();
        Map<String, List<Emitted>> sides = new LinkedHashMap<>();
        for (AbstractStreamOperatorTestHarness<?> h : harnesses) {
            main.addAll(output(h));
            for (OutputTag<?> tag : tags) {
                sides.computeIfAbsent(tag.getId(), k -> new ArrayList<>()).addAll(side(h, tag));
            }
        }
        return new Run(main, sides);
    }

    /** Same records, timestamps and watermarks, in the same order, on every output. */
    static void assertSameOutput(Run actual, Run expected) {
        assertThat(actual.main())
                .as("main output after restore")
                .usingRecursiveComparison()
                .usingOverriddenEquals()
                .isEqualTo(expected.main());
        assertThat(actual.sides())
                .as("side outputs after restore")
                .usingRecursiveComparison()
                .usingOverriddenEquals()
                .isEqualTo(expected.sides());
    }
}
