package dev.jgrad.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jgrad} command line: {@code train}, {@code conformance}, {@code stability}, {@code slowdown}.
 * Bad arguments print a one-line error and exit with code 2.
 */
@Command(name = "jgrad", mixinStandardHelpOptions = true, version = "jgrad 0.1.0",
        description = "Pure-Java autodiff with an exact, stable loss layer.",
        subcommands = {TrainCommand.class, ConformanceCommand.class, SlowdownCommand.class, StabilityCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with jgrad's error handling (one line, exit 2, no stack trace for bad input). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("jgrad: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UsageException || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                commandLine.getErr().println("jgrad: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A user error: printed as one line, exit code 2. */
    public static final class UsageException extends RuntimeException {
        /** @param message the one-line explanation */
        public UsageException(String message) {
            super(message);
        }
    }
}
