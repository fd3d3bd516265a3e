package dev.counterweight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.connectors.dataset.KnownAnswerConfig.DelayDistribution;
import dev.counterweight.connectors.dataset.KnownAnswerTruthFile;
import dev.counterweight.connectors.replay.DatasetEvents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The known-answer generator's options: complete, defaults as the record's, errors by option. */
class KnownAnswerOptionsTest {

    private static KnownAnswerOptions parse(String... args) {
        KnownAnswerOptions options = new KnownAnswerOptions();
        CommandLine cl = new CommandLine(options);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.parseArgs(args);
        return options;
    }

    @Test
    void everySettingButTheSeedIsAnOption() {
        Set<String> options =
                new CommandLine(new KnownAnswerOptions())
                        .getCommandSpec().options().stream()
                                .map(OptionSpec::longestName)
                                .collect(Collectors.toSet());
        Set<String> expected =
                Arrays.stream(KnownAnswerConfig.class.getRecordComponents())
                        .map(RecordComponent::getName)
                        .filter(n -> !n.equals("seed"))
                        .map(KnownAnswerOptions::optionName)
                        .collect(Collectors.toSet());
        expected.add("--ka-truth-file");
        assertThat(options).isEqualTo(expected);
        assertThat(KnownAnswerOptions.optionName("meanClickDelayMillis"))
                .isEqualTo("--ka-mean-click-delay-millis");
    }

    @Test
    void defaultsAreTheRecordsDefaults() {
        assertThat(parse().config(42)).isEqualTo(KnownAnswerConfig.defaults(42));
        assertThat(parse().truthFile()).isNull();
    }

    @Test
    void optionsSetTheirSetting() {
        KnownAnswerConfig c =
                parse(
                                "--ka-exposures=1000",
                                "--ka-tail-price-factor=0.5",
                                "--ka-purchase-delay=log_normal",
                                "--ka-drift-at=0.25")
                        .config(7);
        assertThat(c)
                .isEqualTo(
                        KnownAnswerConfig.builder(7)
                                .exposures(1000)
                                .tailPriceFactor(0.5)
                                .purchaseDelay(DelayDistribution.LOG_NORMAL)
                                .driftAt(0.25)
                                .build());
    }

    @Test
    void replayRejectsAnInvalidSettingNamingItsOptionBeforeConnecting() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                CounterweightCli.run(
                        new PrintWriter(out),
                        new PrintWriter(err),
                        "replay",
                        "--source",
                        "known_answer",
                        "--ka-click-rate",
                        "0",
                        "--bootstrap-servers",
                        "127.0.0.1:1");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("--ka-click-rate must lie in (0.0, 1.0), was 0.0");
    }

    @Test
    void loadingTheKnownAnswerStreamWritesItsTruth(@TempDir Path dir) throws Exception {
        Path truth = dir.resolve("truth.tsv");
        KnownAnswerConfig config = KnownAnswerConfig.builder(3).exposures(500).build();
        DatasetEvents.Loaded loaded = DatasetEvents.loadKnownAnswer(config, 100, truth);
        assertThat(loaded.events()).hasSize(100);
        assertThat(loaded.description()).contains("known-answer", "seed 3", truth.toString());
        assertThat(KnownAnswerTruthFile.read(truth)).hasSize(500);
    }
}
