package io.sightline.promql.promqltest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConformanceTest {

    static Path corpus() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        return p == null || p.getParent() == null ? null : p.getParent().resolve("shared/conformance/promql");
    }

    @Test
    void corpus_runs() throws Exception {
        Path dir = corpus();
        assumeTrue(dir != null && Files.isDirectory(dir),
                "../shared/conformance/promql is absent (a user's clone): the PromQL corpus cannot run");
        List<ScriptRunner.FileResult> r = Corpus.run(Corpus.files(List.of(dir)), System.out, true);
        assertThat(r).isNotEmpty();
    }
}
