package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Shared plumbing of the operator-harness tests: scripted input (elements and watermarks), output
 * with timestamps, keyed-state inspection on heap and RocksDB, and the snapshot-then-restore run.
 */
final class Harnesses {

    private Harnesses() {}

    /** One step of a scripted input. */
    sealed interface Step<T> permits Element, Mark {}

    /** An element with its record timestamp. */
    record Element<T>(T value, long timestamp) implements Step<T> {}

    /** A watermark. */
    record Mark<T>(long watermark) implements Step<T> {}

    static <T> Step<T> element(T value, long timestamp) {
        return new Element<>(value, timestamp);
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

    /** Creates a harness that is not opened yet (state backend already chosen). */
    @FunctionalInterface
    interface Factory<H extends OneInputStreamOperatorTestHarness<?, ?>> {
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
    static <IN, H extends OneInputStreamOperatorTestHarness<IN, ?>> Run uninterrupted(
            Factory<H> factory, List<Step<IN>> script, OutputTag<?>... tags) throws Exception {
        try (H harness = factory.create()) {
            harness.open();
            feed(harness, script);
            return collect(List.of(harness), tags);
        }
    }

    /**
     * Runs the first {@code split} steps, snapshots, closes, restores a new harness from the
     * snapshot and runs the rest on it; the outputs of both harnesses, concatenated.
     */
    static <IN, H extends OneInputStreamOperatorTestHarness<IN, ?>> Run restoredAfter(
            int split, Factory<H> factory, List<Step<IN>> script, OutputTag<?>... tags)
            throws Exception {
        H before = factory.create();
        before.open();
        feed(before, script.subList(0, split));
        OperatorSubtaskState snap = before.snapshot(1L, 1L);
        before.close();

        try (H after = factory.create()) {
            after.initializeState(snap);
            after.open();
            feed(after, script.subList(split, script.size()));
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
