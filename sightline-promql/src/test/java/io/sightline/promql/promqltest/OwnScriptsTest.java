package io.sightline.promql.promqltest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our own PromQL cases, in Prometheus's script format, under {@code src/test/resources/.../scripts}:
 * behaviour found in review or bug reports that the public corpus does not cover. Every case must pass.
 */
class OwnScriptsTest {

    @TestFactory
    Stream<DynamicTest> script() throws Exception {
        URL url = OwnScriptsTest.class.getResource("/io/sightline/promql/scripts");
        assertThat(url).as("scripts directory on the test class path").isNotNull();
        List<Path> files = Corpus.files(List.of(Path.of(url.toURI())));
        assertThat(files).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            ScriptRunner.FileResult r = new ScriptRunner().run(f);
            assertThat(r.failures()).as("failing cases of " + r.file()).isEmpty();
            assertThat(r.passed()).as("cases run in " + r.file()).isPositive();
            assertThat(Files.size(f)).isPositive();
        }));
    }
}
