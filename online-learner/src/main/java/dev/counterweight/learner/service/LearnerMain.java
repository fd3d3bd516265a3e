package dev.counterweight.learner.service;

import dev.counterweight.connectors.config.CommandLineArgs;
import org.apache.flink.configuration.Configuration;

/** Starts the learner from {@code --key value} arguments; stops cleanly on SIGTERM/Ctrl-C. */
public final class LearnerMain {

    private LearnerMain() {}

    public static void main(String[] args) throws Exception {
        LearnerSettings settings =
                LearnerSettings.from(Configuration.fromMap(CommandLineArgs.parse(args)));
        OnlineLearner learner = new OnlineLearner(settings);
        Thread main = Thread.currentThread();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    learner.stop();
                                    try {
                                        main.join(60_000);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                },
                                "learner-shutdown"));
        learner.run();
    }
}
