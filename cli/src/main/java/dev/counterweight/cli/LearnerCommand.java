package dev.counterweight.cli;

import dev.counterweight.learner.service.LearnerMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code counterweight learner}: the online learner alone, against an existing broker. */
@Command(
        name = "learner",
        mixinStandardHelpOptions = true,
        description = {
            "Run the online learner against an existing Kafka cluster (the same code the local"
                    + " pipeline runs). Options are --key value pairs, e.g.:",
            "  counterweight learner --learner.bootstrap-servers 127.0.0.1:9092"
                    + " --learner.snapshot-dir /data/snapshots",
            "",
            "Options:"
        },
        footer = "%nSee LearnerOptions for defaults.")
public final class LearnerCommand implements Callable<Integer> {

    /** Every {@code --key value} pair, passed on unchanged. */
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        LearnerMain.main(args.toArray(String[]::new));
        return 0;
    }
}
