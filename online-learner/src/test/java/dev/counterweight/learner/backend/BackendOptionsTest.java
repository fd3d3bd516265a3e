package dev.counterweight.learner.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendOptionsTest {

    @Test
    void defaultsToAutoWithOneThreadPerProcessor() {
        BackendOptions options = BackendOptions.fromMap(Map.of());

        assertThat(options.device()).isEqualTo(Device.AUTO);
        assertThat(options.ompThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void readsBothKeys() {
        BackendOptions options =
                BackendOptions.fromMap(
                        Map.of("learner.device", " GPU ", "learner.omp-threads", "3"));

        assertThat(options).isEqualTo(new BackendOptions(Device.GPU, 3));
    }

    @Test
    void malformedValuesNameTheirKey() {
        assertThatThrownBy(() -> BackendOptions.fromMap(Map.of("learner.device", "tpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learner.device must be one of auto, cpu, gpu; was tpu");
        assertThatThrownBy(() -> BackendOptions.fromMap(Map.of("learner.omp-threads", "many")))
                .hasMessageContaining("learner.omp-threads must be a positive integer");
        assertThatThrownBy(() -> BackendOptions.fromMap(Map.of("learner.omp-threads", "0")))
                .hasMessageContaining("learner.omp-threads must be positive, was 0");
    }
}
