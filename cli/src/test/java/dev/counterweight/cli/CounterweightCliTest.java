package dev.counterweight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.connectors.replay.DatasetEvents;
import dev.counterweight.connectors.replay.ReplayPacing;
import dev.counterweight.launcher.LocalPipeline;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command tree without a broker: help, descriptions, argument errors. */
class CounterweightCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return CounterweightCli.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void registersEverySubcommand() {
        assertThat(CounterweightCli.commandLine().getSubcommands().keySet())
                .contains("demo", "topics", "replay", "inspect", "report", "help");
        assertThat(
                        CounterweightCli.commandLine()
                                .getSubcommands()
                                .get("topics")
                                .getSubcommands()
                                .keySet())
                .containsExactlyInAnyOrder("create", "list");
    }

    @Test
    void everyOptionAndParameterIsDescribed() {
        List<String> undocumented = new ArrayList<>();
        collectUndocumented(CounterweightCli.commandLine(), undocumented);

        assertThat(undocumented).isEmpty();
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] command :
                new String[][] {
                    {"replay"},
                    {"topics"},
                    {"topics", "create"},
                    {"topics", "list"},
                    {"inspect"},
                    {"report"}
                }) {
            String[] args = new String[command.length + 1];
            System.arraycopy(command, 0, args, 0, command.length);
            args[command.length] = "--help";
            out.getBuffer().setLength(0);

            assertThat(run(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString())
                    .contains("Usage: counterweight " + String.join(" ", command));
        }
    }

    @Test
    void replayHelpListsThePacingOptions() {
        run("replay", "--help");

        assertThat(out.toString())
                .contains("--speed-up", "--time-shift", "--compress", "--source", "--limit")
                .contains("--exposures", "--categories", "--zipf", "--ctr", "--cvr", "--seed");
    }

    @Test
    void inspectHelpListsTheTopics() {
        run("inspect", "--help");

        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains(
                        "events, events-dlq, weighted-samples, class-weights, class-loss,"
                                + " model-snapshots");
    }

    @Test
    void inspectOfAnUnknownTopicFailsNamingTheAcceptedOnes() {
        int rc = run("inspect", "samples", "--bootstrap-servers", "127.0.0.1:1");

        assertThat(rc).isEqualTo(2);
        assertThat(err.toString())
                .contains(
                        "Unknown topic 'samples'. Accepted: events, events-dlq,"
                                + " weighted-samples, class-weights, class-loss, model-snapshots");
    }

    @Test
    void replayRejectsANegativeSpeedUpBeforeConnecting() {
        int rc = run("replay", "--bootstrap-servers", "127.0.0.1:1", "--speed-up", "-2");

        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("speed-up must be a finite number >= 0");
    }

    @Test
    void replayRejectsAnUnknownSourceNamingTheChoices() {
        run("replay", "--bootstrap-servers", "127.0.0.1:1", "--source", "bogus");

        assertThat(err.toString()).contains("--source").contains("TAOBAO, SYNTHETIC");
    }

    @Test
    void topicsWithoutSubcommandAsksForOne() {
        assertThat(run("topics")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand: create or list");
    }

    private static void collectUndocumented(CommandLine cl, List<String> undocumented) {
        String name = cl.getCommandSpec().qualifiedName();
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.description().length == 0 || o.description()[0].isBlank()) {
                undocumented.add(name + " " + o.longestName());
            }
        }
        cl.getCommandSpec()
                .positionalParameters()
                .forEach(
                        p -> {
                            if (p.description().length == 0) {
                                undocumented.add(name + " " + p.paramLabel());
                            }
                        });
        cl.getSubcommands().values().forEach(sub -> collectUndocumented(sub, undocumented));
    }

    @Test
    void runValidatesItsJobAndLearnerOptionsBeforeStartingAnything(@TempDir Path dir) {
        assertThat(runOnce(dir, "--job", "weights.stratgy=INVERSE")).isNotZero();
        assertThat(err.toString())
                .contains("Unknown option 'weights.stratgy'")
                .contains("'weights.strategy'");
        assertThat(dir.resolve("kafka")).as("no broker was started").doesNotExist();

        err.getBuffer().setLength(0);
        assertThat(runOnce(dir, "--learner", "learner.batchsize=64")).isNotZero();
        assertThat(err.toString())
                .contains("Unknown option 'learner.batchsize'")
                .contains("'learner.batch-size'");

        err.getBuffer().setLength(0);
        assertThat(runOnce(dir, "--job", "weights.strategy=INVERS")).isNotZero();
        assertThat(err.toString())
                .contains("'weights.strategy'")
                .contains("NONE, INVERSE, SQRT_INVERSE, EFFECTIVE_NUMBER");
    }

    /**
     * {@code run --once} on a tiny synthetic replay: should validation ever let a bad option
     * through, the test fails after a short run instead of hanging.
     */
    private int runOnce(Path dir, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "--once",
                                "--work-dir",
                                dir.toString(),
                                "--ui-port",
                                "0",
                                "--source",
                                "SYNTHETIC",
                                "--limit",
                                "10"));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    @Test
    void theLaunchersOwnOptionsAndValidExtrasPassValidation(@TempDir Path dir) {
        new LocalPipeline(
                        new LocalPipeline.Settings(
                                dir,
                                0,
                                2,
                                DatasetEvents.Source.SYNTHETIC,
                                10,
                                new ReplayPacing(0, ReplayPacing.TimeShift.NONE, 1),
                                RunCommand.pairs(
                                        List.of(
                                                "weights.strategy=inverse",
                                                "attribution.window=10min",
                                                "kafka.properties.security.protocol=PLAINTEXT",
                                                "kafka.starting-offsets=latest")),
                                RunCommand.pairs(List.of("learner.batch-size=64")),
                                true),
                        new PrintWriter(out),
                        new PrintWriter(err))
                .validateOptions();
    }

    @Test
    void jobAndLearnerCommandsRejectAMisspeltKeyBeforeConnecting() {
        assertThat(
                        run(
                                "job",
                                "--kafka.bootstrap-servers",
                                "127.0.0.1:1",
                                "--weights.stratgy",
                                "INVERSE"))
                .isNotZero();
        assertThat(err.toString())
                .contains(
                        "Unknown option 'weights.stratgy' (nearest known option:"
                                + " 'weights.strategy')");

        err.getBuffer().setLength(0);
        assertThat(
                        run(
                                "learner",
                                "--learner.bootstrap-servers=127.0.0.1:1",
                                "--learner.snapshot-dir=target/unused",
                                "--learner.batchsize=64"))
                .isNotZero();
        assertThat(err.toString()).contains("Unknown option 'learner.batchsize'");
    }
}
