package dev.jgrad.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jgrad} command line: {@code train}, {@code predict}, {@code conformance}, {@code stability}, {@code slowdown}.
 * Bad arguments print a one-line error and exit with code 2; any other failure prints one line and exits with code 1.
 * No stack trace reaches the user unless {@code --debug} is given (an option of every command).
 */
@Command(name = "jgrad", mixinStandardHelpOptions = true, version = "jgrad 0.1.0",
        description = "Pure-Java autodiff with an exact, stable loss layer.",
        subcommands = {TrainCommand.class, PredictCommand.class, ConformanceCommand.class, SlowdownCommand.class, StabilityCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the Java stack trace of an error (for bug reports).")
    boolean debug;

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
            java.io.PrintWriter err = commandLine.getErr();
            System.out.flush();
            if (debugRequested(parseResult)) ex.printStackTrace(err);
            int code;
            if (ex instanceof UsageException || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
                err.println("jgrad: " + oneLine(ex.getMessage()));
                code = 2;
            } else {
                err.println("jgrad: internal error: " + ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + oneLine(ex.getMessage()) : "")
                        + (debugRequested(parseResult) ? "" : " (run again with --debug for the stack trace)"));
                code = 1;
            }
            err.flush();
            return code;
        });
        return cl;
    }

    /** Whether {@code --debug} was given to the command or one of its subcommands. */
    private static boolean debugRequested(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult r = pr; r != null; r = r.subcommand()) if (r.hasMatchedOption("--debug")) return true;
        return false;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
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
