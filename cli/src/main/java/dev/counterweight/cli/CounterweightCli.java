package dev.counterweight.cli;

import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code counterweight} command line: one entry point for every tool. */
@Command(
        name = "counterweight",
        mixinStandardHelpOptions = true,
        version = "counterweight 0.1.0",
        description = "Streaming class-imbalance correction for e-commerce ranking models.",
        subcommands = {
            RunCommand.class,
            DemoCommand.class,
            QualityCommand.class,
            TopicsCommand.class,
            ReplayCommand.class,
            InspectCommand.class,
            ReportCommand.class,
            JobCommand.class,
            LearnerCommand.class,
            OptionsCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class CounterweightCli {

    private static final Logger LOG = LoggerFactory.getLogger(CounterweightCli.class);

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI on stdout and stderr and returns its exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** Runs the CLI printing to {@code out} and {@code err} (tests capture them this way). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command tree with its settings: case-insensitive enum values, one-line errors. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CounterweightCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    // A failing command says why in one line; the stack trace goes to the debug
                    // log.
                    LOG.debug("{} failed", commandLine.getCommandName(), e);
                    commandLine
                            .getErr()
                            .println(
                                    commandLine
                                            .getColorScheme()
                                            .errorText(
                                                    commandLine.getCommandSpec().qualifiedName()
                                                            + ": "
                                                            + message(e)));
                    if (!expected(e)) {
                        e.printStackTrace(commandLine.getErr());
                    }
                    commandLine.getErr().flush();
                    return commandLine.getCommandSpec().exitCodeOnExecutionException();
                });
        return cl;
    }

    /** Failures a user can fix from the message alone; anything else also gets a stack trace. */
    private static boolean expected(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException
                || e instanceof InterruptedException;
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
