package dev.counterweight.cli;

import dev.counterweight.bench.BenchmarksFile;
import dev.counterweight.bench.Machine;
import dev.counterweight.bench.ScaleBenchmark;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code counterweight bench scale}. */
@Command(
        name = "scale",
        mixinStandardHelpOptions = true,
        description =
                "Weighting-job events/s, checkpoint size and duration, and weight-table broadcast"
                        + " cost with 1k, 100k and 1M classes and with 1M users; ratios against"
                        + " the first case of the same round.")
final class BenchScaleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--exposures",
            defaultValue = "1000000",
            description =
                    "Synthetic exposures per case (events are about 1.3x); at least the largest"
                            + " class or user count. Default: ${DEFAULT-VALUE}.")
    int exposures;

    @Option(
            names = "--classes",
            split = ",",
            defaultValue = "1000,100000,1000000",
            description = "Class counts, one case each. Default: ${DEFAULT-VALUE}.")
    int[] classes;

    @Option(
            names = "--users",
            defaultValue = "10000",
            description = "Distinct users in the class cases. Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(
            names = "--many-users",
            defaultValue = "1000000",
            description =
                    "Distinct users of the extra users case (over the first class count); 0 skips"
                            + " it. Default: ${DEFAULT-VALUE}.")
    int manyUsers;

    @Option(
            names = "--event-time-span",
            defaultValue = "PT2H",
            description =
                    "Event time the exposures of a case cover (ISO-8601); with the default"
                            + " 1 min update interval, about this many minutes of table versions."
                            + " Default: ${DEFAULT-VALUE}.")
    Duration span;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description =
                    "Rounds over all cases (median and spread); 1 for a long single pass."
                            + " Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(
            names = "--work-dir",
            defaultValue = "target/bench-scale",
            description =
                    "Scratch folder; scale.tsv and scale.md land here. Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(
            names = "--out",
            defaultValue = "BENCHMARKS.md",
            description = "File whose 'scale' section is replaced. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        List<ScaleBenchmark.Case> cases = new ArrayList<>();
        for (int c : classes) {
            cases.add(new ScaleBenchmark.Case(label(c) + " classes", c, users));
        }
        if (manyUsers > 0) {
            cases.add(
                    new ScaleBenchmark.Case(
                            label(manyUsers) + " users, " + label(classes[0]) + " classes",
                            classes[0],
                            manyUsers));
        }
        ScaleBenchmark.Settings settings;
        try {
            settings = new ScaleBenchmark.Settings(exposures, cases, repeats, span, users);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Files.createDirectories(workDir);
        var results = ScaleBenchmark.run(workDir.toAbsolutePath(), settings, log);
        String command =
                "cli/bin/counterweight bench scale --exposures "
                        + exposures
                        + " --classes "
                        + String.join(
                                ",",
                                java.util.Arrays.stream(classes).mapToObj(String::valueOf).toList())
                        + " --users "
                        + users
                        + " --many-users "
                        + manyUsers
                        + " --event-time-span "
                        + span
                        + " --repeats "
                        + repeats;
        String md = ScaleBenchmark.markdown(results, settings, command, Machine.describe());
        Files.writeString(workDir.resolve("scale.tsv"), ScaleBenchmark.tsv(results));
        Files.writeString(workDir.resolve("scale.md"), md);
        BenchmarksFile.replaceSection(out, "scale", md);
        log.println();
        log.println(md);
        log.flush();
        return 0;
    }

    private static String label(int n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        if (n >= 1_000 && n % 1_000 == 0) {
            return n / 1_000 + "k";
        }
        return String.valueOf(n);
    }
}
