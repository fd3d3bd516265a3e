package dev.counterweight.cli;

import dev.counterweight.jobs.weighting.SampleWeightingJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code counterweight job}: the weighting job alone, in a local Flink, against a broker. */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        description = {
            "Run the SampleWeightingJob in a local Flink (the same code the local pipeline runs)"
                    + " against an existing Kafka cluster. To run it on a Flink cluster instead,"
                    + " submit flink-jobs/target/counterweight-flink-jobs-*-job.jar with"
                    + " 'flink run'. Options are --key value pairs, e.g.:",
            "  counterweight job --kafka.bootstrap-servers 127.0.0.1:9092 --weights.strategy INVERSE",
            ""
        })
public final class JobCommand implements Callable<Integer> {

    /** Every {@code --key value} pair, passed on unchanged. */
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        SampleWeightingJob.main(args.toArray(String[]::new));
        return 0;
    }
}
