package io.sightline.server.cli;

import io.sightline.server.config.ConfigException;
import io.sightline.server.config.ConfigLoader;
import io.sightline.server.config.SightlineConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sightline check ...}: validates files without starting anything, like {@code promtool check}. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Validate files without starting the server.",
        subcommands = {CheckCommand.Config.class, CheckCommand.Rules.class})
final class CheckCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: try 'sightline check config FILE'");
    }

    /** Exit 0 when every file is valid, 1 when any is not (as promtool does). */
    @Command(name = "config", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Check Sightline config files; prints SUCCESS or the first problem of each.")
    static final class Config implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Config files to check.")
        List<Path> files;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int failed = 0;
            for (Path f : files) {
                try {
                    SightlineConfig c = ConfigLoader.load(f);
                    out.printf("%s: SUCCESS: %d scrape configs, %d rule file patterns, auth %s%n", f,
                            c.scrapeConfigs().size(), c.ruleFiles().size(), c.auth().enabled() ? "on" : "off");
                } catch (ConfigException e) {
                    err.println("FAILED: " + e.getMessage());
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** Like {@code promtool check rules}: exit 0 when every file is valid, 1 when any is not. */
    @Command(name = "rules", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Check Prometheus rule files; prints the number of rules or every problem of each file.")
    static final class Rules implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Rule files to check.")
        List<Path> files;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int failed = 0;
            io.sightline.alerting.rules.RuleFileParser parser = io.sightline.server.lifecycle.AlertingService.parser();
            for (Path f : files) {
                out.println("Checking " + f);
                try {
                    int n = parser.parse(f).stream().mapToInt(g -> g.rules().size()).sum();
                    out.printf("  SUCCESS: %d rules found%n", n);
                } catch (io.sightline.alerting.rules.RuleFileException e) {
                    err.println("  FAILED:");
                    e.problems().forEach(p -> err.println(p));
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }
}
