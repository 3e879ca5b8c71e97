package io.sightline.promql.promqltest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Runs a set of script files or directories and prints per-file counts, as {@code promql-test} does. */
public final class Corpus {

    private Corpus() {}

    /** The {@code .test} files named, directories expanded (sorted by name). */
    public static List<Path> files(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".test")).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    public static List<ScriptRunner.FileResult> run(List<Path> files, PrintStream out, boolean verbose)
            throws IOException {
        List<ScriptRunner.FileResult> results = new ArrayList<>();
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (Path f : files) {
            ScriptRunner.FileResult r = new ScriptRunner().run(f);
            results.add(r);
            passed += r.passed();
            failed += r.failed();
            skipped += r.skipped();
            out.printf("%-28s %4d passed, %4d failed, %4d skipped%s%n", r.file(), r.passed(), r.failed(), r.skipped(),
                    r.skipReasons().isEmpty() ? "" : " " + r.skipReasons());
            if (verbose) {
                for (ScriptRunner.Failure x : r.failures()) {
                    out.println("  FAIL " + x);
                }
            }
        }
        out.printf("%d passed, %d failed%s%n", passed, failed,
                skipped == 0 ? "" : " (" + skipped + " skipped: need native histograms)");
        return results;
    }
}
