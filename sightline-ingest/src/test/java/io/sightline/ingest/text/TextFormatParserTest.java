package io.sightline.ingest.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.testkit.Mutations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextFormatParserTest {
    static final long NOW = 1_795_000_000_000L;

    static List<String> parse(String text) throws MalformedRequestException {
        List<String> out = new ArrayList<>();
        TextFormatParser.parse(text, NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                out.add(labels + " " + values[0] + " " + timestamps[0]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                out.add("INVALID " + series);
            }
        });
        return out;
    }

    @Test
    void parse_samplesWithLabelsEscapesSpecialValuesAndTimestamps() throws Exception {
        String text = """
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400",} 3 1395066363000

                # A free comment
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                metric_without_timestamp_and_labels 12.47
                something_weird{problem="division by zero"} +Inf -3982045
                  indented{ a = "1" , b="2" }	-Inf
                nan_value NaN\r
                hex 0x1p-2
                """;
        assertThat(parse(text)).containsExactly(
                "http_requests_total{code=\"200\", method=\"post\"} 1027.0 1395066363000",
                "http_requests_total{code=\"400\", method=\"post\"} 3.0 1395066363000",
                "msdos_file_access_time_seconds{error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\", path=\"C:\\\\DIR\\\\FILE.TXT\"} 1.458255915E9 " + NOW,
                "metric_without_timestamp_and_labels 12.47 " + NOW,
                "something_weird{problem=\"division by zero\"} Infinity -3982045",
                "indented{a=\"1\", b=\"2\"} -Infinity " + NOW,
                "nan_value NaN " + NOW,
                "hex 0.25 " + NOW);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`up 1 2 3`                         | line 1: unexpected text after the timestamp",
        "`up`                               | line 1: expected a space before the value",
        "`up{job=\"a\"}`                    | line 1: expected a space before the value",
        "`up abc`                           | line 1: invalid value \"abc\"",
        "`up 1d`                            | line 1: invalid value \"1d\"",
        "`up 1 12.5`                        | line 1: invalid timestamp \"12.5\"",
        "`up{job=\"a} 1`                    | line 1: unterminated value of label job",
        "`up{job=a} 1`                      | line 1: expected '\"' to open the value of label job",
        "`up{job=\"a\" x=\"b\"} 1`          | line 1: expected ',' or '}' after the value of label job",
        "`up{job=\"a\",job=\"b\"} 1`        | line 1: duplicate label name \"job\"",
        "`up{1x=\"a\"} 1`                   | line 1: expected a label name or '}'",
        "`up{__name__=\"x\"} 1`             | line 1: label __name__ is not allowed in braces",
        "`up{job=\"a\\q\"} 1`               | line 1: invalid escape sequence \\q in the value of label job",
        "`{job=\"a\"} 1`                    | line 1: expected a metric name",
        "`# TYPE up countr`                 | line 1: unknown metric type \"countr\"",
        "`9up 1`                            | line 1: expected a metric name",
        "`p 0xp51`                          | line 1: invalid value \"0xp51\"",
    })
    void parse_malformedLine_failsWholeBody_withLineAndReason(String line, String message) {
        String text = "ok_before 1\n" + line + "\n";
        List<String> sunk = new ArrayList<>();
        assertThatThrownBy(() -> TextFormatParser.parse(text, NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                sunk.add(labels.toString());
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                sunk.add(series);
            }
        })).isInstanceOf(MalformedRequestException.class)
                .hasMessageStartingWith("cannot parse exposition text: ")
                .hasMessageContaining(message.replace("line 1", "line 2"));
        assertThat(sunk).as("nothing reaches the sink").isEmpty();
    }

    /** Records metadata and samples, in the order the sink sees them. */
    static List<String> parseWithMetadata(String text) throws MalformedRequestException {
        List<String> out = new ArrayList<>();
        TextFormatParser.parse(text, NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                out.add(labels + " " + values[0]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                out.add("INVALID " + series);
            }

            @Override
            public void metadata(String family, String type, String help, String unit) {
                out.add("META " + family + " " + type + " help=" + help + " unit=" + unit);
            }
        });
        return out;
    }

    @Test
    void parse_metadata_reportedOncePerFamily_beforeSamples() throws Exception {
        String text = """
                a_total 1
                # HELP a_total Requests \\\\ served\\nby "us" \\\\"; \\t stays
                # TYPE a_total counter
                # HELP b_seconds\tTabbed  help
                # UNIT b_seconds seconds
                b_seconds 2
                #TYPE c gauge
                # HELP
                # HELP d-e not a family
                # TYPE a_total untyped
                # HELP empty
                """;
        assertThat(parseWithMetadata(text)).containsExactly(
                "META a_total untyped help=Requests \\ served\nby \"us\" \\\"; \\t stays unit=",
                "META b_seconds untyped help=Tabbed  help unit=",
                "META c gauge help= unit=",
                "META empty untyped help= unit=",
                "a_total 1.0",
                "b_seconds 2.0");
    }

    @Test
    void parse_malformedBody_reportsNoMetadata() {
        List<String> sunk = new ArrayList<>();
        assertThatThrownBy(() -> TextFormatParser.parse("# TYPE a gauge\n# HELP a A.\na 1\na x\n", NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                sunk.add(labels.toString());
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                sunk.add(series);
            }

            @Override
            public void metadata(String family, String type, String help, String unit) {
                sunk.add(family);
            }
        })).isInstanceOf(MalformedRequestException.class).hasMessageContaining("line 4: invalid value \"x\"");
        assertThat(sunk).isEmpty();
    }

    /** A real scrape of prometheus-node-exporter 1.5.0, from the shared benchmark fixtures. */
    @Test
    void parse_realNodeExporterScrape() throws Exception {
        Path fixture = Path.of("..", "..", "shared", "bench", "fixtures", "node_exporter_sample.prom");
        if (!Files.exists(fixture)) {
            fixture = Path.of("..", "shared", "bench", "fixtures", "node_exporter_sample.prom");
        }
        assumeTrue(Files.exists(fixture), "../shared/bench/fixtures is beside the project only in CI and dev machines");
        String text = Files.readString(fixture);
        long expected = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        List<String> samples = parse(text);
        assertThat(samples).hasSize((int) expected).hasSizeGreaterThan(500);
        assertThat(samples).anySatisfy(s -> assertThat(s).startsWith("node_cpu_seconds_total{cpu=\"0\", mode=\"idle\"}"));
    }

    /** Property: random mutations never escape as anything but MalformedRequestException. */
    @Test
    void mutatedText_failsCleanly_seeded() {
        String base = "# TYPE a counter\na{x=\"1\",y=\"q\\\\\\\"\"} 1.5 100\nb 2\nc{z=\"w\"} NaN\n";
        String alphabet = "{}=\",\\ #\n\t0123456789.eE+-abcxyzNaInf_:";
        Random r = new Random(11);
        int failures = 0;
        for (int i = 0; i < 20_000; i++) {
            String mutated = Mutations.mutate(r, base, alphabet);
            try {
                parse(mutated);
            } catch (MalformedRequestException e) {
                failures++;
                assertThat(e.getMessage()).startsWith("cannot parse exposition text: line ");
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " threw " + e + " for:\n" + mutated, e);
            }
        }
        assertThat(failures).isGreaterThan(1000);
    }
}
