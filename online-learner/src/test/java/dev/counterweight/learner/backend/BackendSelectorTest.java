package dev.counterweight.learner.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {

    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    @AfterAll
    static void restoreThreads() {
        BackendSelector.select(new BackendOptions(Device.CPU, PROCESSORS));
    }

    @Test
    void cpuResolvesToTheWorkingNativeBackend() {
        BackendInfo info = BackendSelector.select(new BackendOptions(Device.CPU, PROCESSORS));

        assertThat(info.backendName()).isEqualTo("CpuBackend");
        assertThat(info.gpu()).isFalse();
        assertThat(info.selfTestError()).isLessThan(1e-5);
        assertThat(info.ompThreads()).isEqualTo(PROCESSORS);
        assertThat(info.describe()).contains("CpuBackend (CPU)", "learner.device=cpu");
    }

    @Test
    void autoResolvesToTheCpuBackendHere() {
        BackendInfo info = BackendSelector.select(BackendOptions.defaults());

        assertThat(info.requested()).isEqualTo(Device.AUTO);
        assertThat(info.backendName()).isEqualTo("CpuBackend");
        assertThat(info.gpu()).isFalse();
    }

    @Test
    void gpuFailsOnACpuOnlyHostNamingTheOption() {
        assertThatThrownBy(() -> BackendSelector.select(new BackendOptions(Device.GPU, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "learner.device=gpu but the active ND4J backend is CpuBackend")
                .hasMessageContaining("profile cuda");
    }

    @Test
    void appliesTheThreadOption() {
        BackendInfo info = BackendSelector.select(new BackendOptions(Device.CPU, 1));

        assertThat(info.ompThreads()).isEqualTo(1);
        assertThat(info.blasThreads()).isEqualTo(1);
        assertThat(info.poolThreads()).isPositive();
    }

    @Test
    void gpuIsAcceptedWhenTheProbeReportsOne() {
        BackendInfo info =
                BackendSelector.select(
                        new BackendOptions(Device.GPU, 4), TestingBackendProbe.workingGpu());

        assertThat(info.gpu()).isTrue();
        assertThat(info.ompThreads()).isEqualTo(4);
    }

    @Test
    void cpuRejectsAGpuBackend() {
        assertThatThrownBy(
                        () ->
                                BackendSelector.select(
                                        new BackendOptions(Device.CPU, 1),
                                        TestingBackendProbe.workingGpu()))
                .hasMessageContaining(
                        "learner.device=cpu but the active ND4J backend is JCublasBackend")
                .hasMessageContaining("BACKEND_PRIORITY_CPU=100");
    }

    @Test
    void autoExplainsHowToFallBackWhenTheGpuComputesWrongly() {
        assertThatThrownBy(
                        () ->
                                BackendSelector.select(
                                        new BackendOptions(Device.AUTO, 1),
                                        TestingBackendProbe.gpuComputingWrongly()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "learner.device=auto: the self-test of ND4J backend JCublasBackend")
                .hasMessageContaining("deviates from the Java reference by 3.5")
                .hasMessageContaining("restart with BACKEND_PRIORITY_CPU=100");
    }

    @Test
    void explainsAMissingBackend() {
        assertThatThrownBy(
                        () ->
                                BackendSelector.select(
                                        new BackendOptions(Device.AUTO, 1),
                                        TestingBackendProbe.noBackend()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("learner.device=auto: no ND4J backend could be initialised")
                .hasMessageContaining("nd4j-native");
    }

    @Test
    void launchEnvironmentPinsTheBackendAndThreads() {
        Map<String, String> cpu =
                BackendSelector.launchEnvironment(new BackendOptions(Device.CPU, 3));
        Map<String, String> auto =
                BackendSelector.launchEnvironment(new BackendOptions(Device.AUTO, 2));

        assertThat(cpu)
                .containsExactly(
                        entry("BACKEND_PRIORITY_CPU", "100"),
                        entry("BACKEND_PRIORITY_GPU", "0"),
                        entry("OMP_NUM_THREADS", "3"));
        assertThat(auto).containsExactly(entry("OMP_NUM_THREADS", "2"));
    }
}
