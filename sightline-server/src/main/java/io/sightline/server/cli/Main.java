package io.sightline.server.cli;

import io.sightline.server.BuildInfo;
import io.sightline.server.StartupException;
import io.sightline.server.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sightline}: the entry point of the executable jar. Exit codes: 0 success, 1 a check found
 * problems or an internal error, 2 a usage or start-up error the user can fix (bad flag, bad config,
 * data dir unusable, port in use), always as one line on stderr with no stack trace.
 */
@Command(name = "sightline",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Sightline: metrics, alerting, events, logs and traces in one process.",
        subcommands = {ServerCommand.class, CheckCommand.class, TokenCommand.class, PromqlTestCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'sightline server'");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; never calls {@link System#exit}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("sightline: error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof StartupException || ex instanceof ConfigException) {
                c.getErr().println("sightline: error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            c.getErr().println("sightline: internal error: " + ex);
            ex.printStackTrace(c.getErr());
            return 1;
        });
        return cl;
    }

    /** {@code --version} on every command. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sightline " + BuildInfo.version() + " (java " + System.getProperty("java.version") + ")"};
        }
    }
}
