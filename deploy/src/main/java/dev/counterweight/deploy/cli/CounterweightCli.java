package dev.counterweight.deploy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code counterweight} command line: one entry point for every tool. */
@Command(
        name = "counterweight",
        mixinStandardHelpOptions = true,
        version = "counterweight 0.1.0",
        description = "Streaming class-imbalance correction for e-commerce ranking models.",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class CounterweightCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new CounterweightCli()).execute(args);
    }
}
