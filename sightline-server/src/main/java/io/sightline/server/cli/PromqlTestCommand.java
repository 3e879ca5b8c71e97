package io.sightline.server.cli;

import io.sightline.promql.promqltest.Corpus;
import io.sightline.promql.promqltest.ScriptRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline promql-test DIR_OR_FILES...}: runs PromQL test scripts (Prometheus's promqltest
 * format) against the engine and prints per-file counts and a final {@code N passed, M failed}.
 * Exit 0 when nothing failed, 1 otherwise.
 */
@Command(name = "promql-test", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run PromQL test scripts (Prometheus's promqltest format) against the engine.")
final class PromqlTestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR_OR_FILE", description = "Script files, or directories of *.test files.")
    List<Path> paths;

    @Option(names = {"-v", "--verbose"}, description = "Print each failing case with the reason.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file or directory: " + p);
            }
        }
        List<Path> files = Corpus.files(paths);
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no .test files in " + paths);
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        List<ScriptRunner.FileResult> results;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            results = Corpus.run(files, ps, verbose);
        }
        out.print(buf.toString(StandardCharsets.UTF_8));
        out.flush();
        return results.stream().anyMatch(r -> r.failed() > 0) ? 1 : 0;
    }
}
