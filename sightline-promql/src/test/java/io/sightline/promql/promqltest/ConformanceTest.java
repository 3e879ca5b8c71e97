package io.sightline.promql.promqltest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Prometheus's own PromQL test scripts (../shared/conformance/promql) against our engine, one dynamic
 * test per file. Every case must pass except cases that need native histograms (skipped by the runner,
 * with the reason).
 */
class ConformanceTest {

    @TestFactory
    Stream<DynamicTest> corpus_file() throws Exception {
        Path dir = io.sightline.promql.SharedCorpus.directory();
        assumeTrue(dir != null,
                "../shared/conformance/promql is absent (a user's clone): the PromQL corpus cannot run");
        List<Path> files = Corpus.files(List.of(dir));
        assertThat(files).hasSizeGreaterThan(10);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            ScriptRunner.FileResult r = new ScriptRunner().run(f);
            System.out.printf("%s: %d passed, %d failed, %d skipped %s%n", r.file(), r.passed(), r.failed(),
                    r.skipped(), r.skipReasons());
            assertThat(r.failures()).as("failing cases of " + r.file()).isEmpty();
            assertThat(r.passed()).as("cases run in " + r.file()).isPositive();
        }));
    }
}
