package dev.counterweight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunProbeTest {

    @Test
    void foldsSubtaskAndCounterSuffixesOfThreadNames() {
        assertThat(RunProbe.javaGroup("Attribute labels (per user) (1/2)#0"))
                .isEqualTo("task: Attribute labels (per user)");
        assertThat(RunProbe.javaGroup("Source: Kafka events -> Valid events (2/2)#3"))
                .isEqualTo("task: Source: Kafka events -> Valid events");
        assertThat(RunProbe.javaGroup("kafka-producer-network-thread | producer-bench-r1-7"))
                .isEqualTo("kafka-producer-network-thread");
        assertThat(RunProbe.javaGroup("flink-pekko.actor.default-dispatcher-12"))
                .isEqualTo("flink-pekko.actor.default-dispatcher-N");
        assertThat(RunProbe.nativeGroup("rocksdb:low")).contains("RocksDB");
        assertThat(RunProbe.nativeGroup("C2 CompilerThre")).contains("JIT");
        assertThat(RunProbe.nativeGroup("GC Thread#1")).contains("GC");
        assertThat(RunProbe.nativeGroup("Flink Netty Ser")).isNull();
    }

    @Test
    void windowTakesDifferencesBetweenTheLastSamplesAtOrBeforeItsEnds() {
        String busyA0 = "A|0|" + RunProbe.BUSY;
        String busyA1 = "A|1|" + RunProbe.BUSY;
        String bpA0 = "A|0|" + RunProbe.BACK_PRESSURED;
        String idleA1 = "A|1|" + RunProbe.IDLE;
        RunProbe.Tick t0 =
                new RunProbe.Tick(
                        1_000,
                        Map.of(busyA0, 100.0, RunProbe.CHECKPOINTS, 1.0),
                        Map.of("java:1", 1_000_000_000L),
                        Map.of("java:1", "task: A"),
                        3_000_000_000L);
        RunProbe.Tick t1 =
                new RunProbe.Tick(
                        2_000,
                        Map.of(busyA0, 600.0, RunProbe.CHECKPOINTS, 2.0),
                        Map.of("java:1", 1_500_000_000L),
                        Map.of("java:1", "task: A"),
                        3_800_000_000L);
        RunProbe.Tick t2 =
                new RunProbe.Tick(
                        3_000,
                        Map.of(
                                busyA0,
                                1_900.0,
                                busyA1,
                                400.0,
                                bpA0,
                                200.0,
                                idleA1,
                                1_600.0,
                                RunProbe.CHECKPOINTS,
                                4.0),
                        Map.of(
                                "java:1", 2_500_000_000L,
                                "native:9", 500_000_000L),
                        Map.of("java:1", "task: A", "native:9", "native: GC"),
                        5_000_000_000L);
        RunProbe.Tick late =
                new RunProbe.Tick(
                        9_000, Map.of(busyA0, 9_999.0), Map.of(), Map.of(), 99_000_000_000L);
        // From 1.5 s (last tick at or before: t0) to 3.2 s (t2): 2 s between them.
        RunProbe.Window w = RunProbe.window(List.of(t0, t1, t2, late), 1_500, 3_200);
        assertThat(w.seconds()).isEqualTo(2.0);
        assertThat(w.checkpoints()).isEqualTo(3);
        assertThat(w.tasks()).hasSize(1);
        RunProbe.TaskLoad a = w.tasks().get(0);
        assertThat(a.task()).isEqualTo("A");
        assertThat(a.subtasks()).isEqualTo(2);
        // Subtask 0: (1900-100)/2 = 900 ms/s; subtask 1 starts inside: 400/2 = 200 ms/s.
        assertThat(a.busy()).isCloseTo(550.0, within(1e-9));
        assertThat(a.busyMax()).isCloseTo(900.0, within(1e-9));
        assertThat(a.backPressured()).isCloseTo(50.0, within(1e-9));
        assertThat(a.idle()).isCloseTo(400.0, within(1e-9));
        // Process 2.0 CPU s: task A 1.5, GC 0.5 (a native thread seen first inside), no rest.
        assertThat(w.processCpuSeconds()).isCloseTo(2.0, within(1e-9));
        assertThat(w.threads())
                .extracting(RunProbe.ThreadCpu::group)
                .containsExactly("task: A", "native: GC");
        assertThat(w.threads().get(0).cpuSeconds()).isCloseTo(1.5, within(1e-9));
        assertThat(w.threads().get(0).share()).isCloseTo(0.75, within(1e-9));
    }
}
