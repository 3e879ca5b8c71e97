package io.sightline.ingest.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.testkit.Mutations;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OpenMetricsParserTest {
    static final long NOW = 1_795_000_000_000L;

    /** Records every call, metadata and samples alike, in order. */
    static final class RecordingSink implements SeriesSink {
        final List<String> calls = new ArrayList<>();

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, int count) {
            calls.add(labels + " " + values[0] + " " + timestamps[0]);
        }

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, long[] starts, int count) {
            calls.add(labels + " " + values[0] + " " + timestamps[0] + " st=" + starts[0]);
        }

        @Override
        public void invalid(String series, String reason, int samples) {
            calls.add("INVALID " + series);
        }

        @Override
        public void metadata(String family, String type, String help, String unit) {
            calls.add("META " + family + " " + type + " help=" + help + " unit=" + unit);
        }
    }

    static List<String> parse(String text, long defaultTimestampMs) throws MalformedRequestException {
        RecordingSink sink = new RecordingSink();
        int n = OpenMetricsParser.parse(text, defaultTimestampMs, sink);
        assertThat(n).isEqualTo((int) sink.calls.stream().filter(c -> !c.startsWith("META ")).count());
        return sink.calls;
    }

    /**
     * A counter's, histogram's or summary's {@code _created} is the start time of the family's counting samples with
     * the same labels (buckets whatever their le; not quantiles); the {@code _created} series stays; other types and
     * other label sets get none.
     */
    @Test
    void created_isTheStartTimeOfItsFamilysCountingSamples() throws Exception {
        List<String> calls = parse("""
                # TYPE req counter
                req_total{a="1"} 17 1520879607.789
                req_created{a="1"} 1520430000.123
                req_total{a="2"} 3 1520879607.789
                # TYPE lat histogram
                lat_bucket{le="0.5"} 1
                lat_bucket{le="+Inf"} 2
                lat_count 2
                lat_sum 0.75
                lat_created 1520430001
                # TYPE rpc summary
                rpc{quantile="0.5"} 0.2
                rpc_count 4
                rpc_sum 1.5
                rpc_created 1520430002
                # TYPE temp gauge
                temp 21
                # EOF
                """, NOW).stream().filter(c -> !c.startsWith("META ")).toList();
        assertThat(calls).containsExactly(
                "req_total{a=\"1\"} 17.0 1520879607789 st=1520430000123",
                "req_created{a=\"1\"} 1.520430000123E9 " + NOW,
                "req_total{a=\"2\"} 3.0 1520879607789",
                "lat_bucket{le=\"0.5\"} 1.0 " + NOW + " st=1520430001000",
                "lat_bucket{le=\"+Inf\"} 2.0 " + NOW + " st=1520430001000",
                "lat_count 2.0 " + NOW + " st=1520430001000",
                "lat_sum 0.75 " + NOW + " st=1520430001000",
                "lat_created 1.520430001E9 " + NOW,
                "rpc{quantile=\"0.5\"} 0.2 " + NOW,
                "rpc_count 4.0 " + NOW + " st=1520430002000",
                "rpc_sum 1.5 " + NOW + " st=1520430002000",
                "rpc_created 1.520430002E9 " + NOW,
                "temp 21.0 " + NOW);
        // The text format has no created timestamps: its _created lines are samples only.
        RecordingSink text = new RecordingSink();
        TextFormatParser.parse("# TYPE req counter\nreq_total 17\nreq_created 1520430000\n", NOW, text);
        assertThat(text.calls).noneMatch(c -> c.contains("st="));
    }

    record Good(String name, String body, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Good> goodBodies() {
        return Stream.of(
                new Good("counter with created series and exemplar", """
                        # TYPE foo counter
                        foo_total{a="1"} 17.0 1520879607.789 # {id="counter-test"} 5
                        foo_created{a="1"} 1520430000.123
                        # EOF
                        """, List.of(
                        "META foo counter help= unit=",
                        "foo_total{a=\"1\"} 17.0 1520879607789 st=1520430000123",
                        "foo_created{a=\"1\"} 1.520430000123E9 " + NOW)),
                new Good("no newline after # EOF", "a 1\n# EOF", List.of("a 1.0 " + NOW)),
                new Good("only # EOF", "# EOF\n", List.of()),
                new Good("special and signed values", "a NaN\nb +Inf\nc -Inf\nd 1.5e3\ne -0.25\nf .5\ng 1.\n# EOF\n",
                        List.of("a NaN " + NOW, "b Infinity " + NOW, "c -Infinity " + NOW, "d 1500.0 " + NOW,
                                "e -0.25 " + NOW, "f 0.5 " + NOW, "g 1.0 " + NOW)),
                new Good("label value escapes and characters that are syntax elsewhere",
                        "m{path=\"C:\\\\DIR\",msg=\"say \\\"hi\\\"\\nbye\",odd=\"x # {y} z, =\"} 1\n# EOF\n",
                        List.of("m{msg=\"say \\\"hi\\\"\\nbye\", odd=\"x # {y} z, =\", path=\"C:\\\\DIR\"} 1.0 " + NOW)),
                new Good("empty braces, trailing comma, empty value dropped",
                        "m{} 1\nm{a=\"b\",} 2\nm{a=\"\"} 3\n# EOF\n",
                        List.of("m 1.0 " + NOW, "m{a=\"b\"} 2.0 " + NOW, "m 3.0 " + NOW)),
                new Good("timestamps are float seconds, truncated to milliseconds as Prometheus does",
                        "a 1 1\nb 1 -1.5\nc 1 1.005\nd 1 1e3\ne 1 0\nf 1 1520879607.7899\ng 1 -0.0009\n# EOF\n",
                        List.of("a 1.0 1000", "b 1.0 -1500", "c 1.0 1004", "d 1.0 1000000", "e 1.0 0",
                                "f 1.0 1520879607789", "g 1.0 0")),
                new Good("exemplar forms", """
                        # TYPE h histogram
                        h_bucket{le="0.5"} 1 # {trace_id="KOO5S4vxi0o"} 0.67
                        h_bucket{le="+Inf"} 2 # {} 1.5e0 1520879607.7
                        h_count 2 1520879607 # {a="b",c="d",} NaN
                        h_sum 3.3
                        # EOF
                        """, List.of(
                        "META h histogram help= unit=",
                        "h_bucket{le=\"0.5\"} 1.0 " + NOW,
                        "h_bucket{le=\"+Inf\"} 2.0 " + NOW,
                        "h_count 2.0 1520879607000",
                        "h_sum 3.3 " + NOW)),
                new Good("every type, names kept as written", """
                        # TYPE g gauge
                        g 1
                        # TYPE gh gaugehistogram
                        gh_gcount 1
                        gh_gsum 2
                        # TYPE s summary
                        s{quantile="0.99"} 3
                        # TYPE i info
                        i_info{version="1.2"} 1
                        # TYPE st stateset
                        st{st="a"} 1
                        # TYPE u unknown
                        u 4
                        # EOF
                        """, List.of(
                        "META g gauge help= unit=", "META gh gaugehistogram help= unit=",
                        "META s summary help= unit=", "META i info help= unit=", "META st stateset help= unit=",
                        "META u unknown help= unit=",
                        "g 1.0 " + NOW, "gh_gcount 1.0 " + NOW, "gh_gsum 2.0 " + NOW, "s{quantile=\"0.99\"} 3.0 " + NOW,
                        "i_info{version=\"1.2\"} 1.0 " + NOW, "st{st=\"a\"} 1.0 " + NOW, "u 4.0 " + NOW)),
                new Good("colons in metric names", "job:rate:5m 1\n# EOF\n", List.of("job:rate:5m 1.0 " + NOW)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goodBodies")
    void parse_validBody_handsOverExactSamples(Good c) throws Exception {
        assertThat(parse(c.body(), NOW)).containsExactlyElementsOf(c.expected());
    }

    @Test
    void parse_defaultTimestamp_passesThroughUnchanged() throws Exception {
        assertThat(parse("a 1\nb 2 3\n# EOF\n", Long.MIN_VALUE))
                .containsExactly("a 1.0 " + Long.MIN_VALUE, "b 2.0 3000");
    }

    @Test
    void parse_metadata_reportedOncePerFamily_beforeSamples() throws Exception {
        String text = """
                # TYPE req counter
                # HELP req Requests \\"served\\",\\\\ and\\nmore; \\t stays
                # UNIT req_seconds seconds
                req_total 1
                # HELP only_help  leading space kept
                # HELP empty_help\s
                # UNIT no_unit\s
                only_help 2
                # TYPE req gauge
                # EOF
                """;
        assertThat(parse(text, NOW)).containsExactly(
                "META req gauge help=Requests \"served\",\\ and\nmore; \\t stays unit=",
                "META req_seconds unknown help= unit=seconds",
                "META only_help unknown help= leading space kept unit=",
                "META empty_help unknown help= unit=",
                "META no_unit unknown help= unit=",
                "req_total 1.0 " + NOW,
                "only_help 2.0 " + NOW);
    }

    record Bad(String body, String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    /** A body whose second line is {@code line}, between a good sample and # EOF. */
    static Bad line2(String line, String message) {
        return new Bad("# TYPE ok gauge\n" + line + "\nok 1\n# EOF\n", "line 2: " + message);
    }

    static Stream<Bad> badBodies() {
        return Stream.of(
                new Bad("", "line 1: missing # EOF at the end of the body (at column 1 of \"\")"),
                new Bad("a 1\n", "line 2: missing # EOF at the end of the body (at column 1 of \"\")"),
                new Bad("a 1", "line 1: missing # EOF at the end of the body (at column 4 of \"a 1\")"),
                new Bad("a 1\n# EOF\n\n", "line 3: unexpected data after # EOF"),
                new Bad("a 1\n# EOF\nb 1\n", "line 3: unexpected data after # EOF (at column 1 of \"b 1\")"),
                new Bad("# EOF\n# EOF\n", "line 2: unexpected data after # EOF"),
                new Bad("# EOF \n", "line 1: unexpected text after # EOF"),
                new Bad("# EOF\r\n", "line 1: expected TYPE, HELP, UNIT or EOF after '# '"),
                line2("", "unexpected blank line"),
                line2("# a comment", "expected TYPE, HELP, UNIT or EOF after '# ' (OpenMetrics has no comments)"),
                line2("#TYPE a counter", "expected a space after '#'"),
                line2("# TYPE a countr", "unknown metric type \"countr\""),
                line2("# TYPE a untyped", "unknown metric type \"untyped\""),
                line2("# TYPE a counter ", "unknown metric type \"counter \""),
                line2("# TYPE a", "expected a space after the metric name in # TYPE"),
                line2("# TYPE  a counter", "expected a metric name after # TYPE"),
                line2("# TYPE a-b counter", "expected a space after the metric name in # TYPE"),
                line2("# HELP a", "expected a space after the metric name in # HELP"),
                line2("# HELP", "expected a space after # HELP"),
                line2("# UNIT a_seconds bytes", "unit \"bytes\" is not the suffix of metric name \"a_seconds\""),
                line2("# UNIT seconds seconds", "unit \"seconds\" is not the suffix of metric name \"seconds\""),
                line2("a  1", "expected a value"),
                line2("a 1 ", "expected a timestamp or an exemplar"),
                line2("a\t1", "expected a single space before the value"),
                line2("a{b=\"1\"}1", "expected a single space before the value"),
                line2("a-b 1", "expected a single space before the value"),
                line2(" a 1", "expected a metric name"),
                line2("{b=\"1\"} 1", "expected a metric name"),
                line2("9a 1", "expected a metric name"),
                line2("a{b=\"1\", c=\"2\"} 1", "expected a label name or '}'"),
                line2("a{b =\"1\"} 1", "expected '=' after label name b"),
                line2("a{b=1} 1", "expected '\"' to open the value of label b"),
                line2("a{b=\"1\" c=\"2\"} 1", "expected ',' or '}' after the value of label b"),
                line2("a{b=\"1\",b=\"2\"} 1", "duplicate label name \"b\""),
                line2("a{b=\"1} 1", "unterminated value of label b"),
                line2("a{b=\"\\q\"} 1", "invalid escape sequence \\q in the value of label b"),
                line2("a{__name__=\"x\"} 1", "label __name__ is not allowed in braces"),
                line2("a{1b=\"x\"} 1", "expected a label name or '}'"),
                line2("a{,} 1", "expected a label name or '}'"),
                line2("a 1\r", "invalid value \"1\r\""),
                line2("a abc", "invalid value \"abc\""),
                line2("a 1d", "invalid value \"1d\""),
                line2("a 0x1p-2", "invalid value \"0x1p-2\""),
                line2("a 1 12a", "invalid timestamp \"12a\" (expected seconds since the epoch"),
                line2("a 1 NaN", "invalid timestamp \"NaN\""),
                line2("a 1 +Inf", "invalid timestamp \"+Inf\""),
                line2("a 1 1e300", "invalid timestamp \"1e300\""),
                line2("a 1 -9223372036854775.808", "invalid timestamp \"-9223372036854775.808\""),
                line2("a 1 0x10", "invalid timestamp \"0x10\""),
                line2("a 1 1 2", "expected an exemplar (\"# {\") after the timestamp"),
                line2("a 1 #{b=\"c\"} 1", "invalid timestamp \"#{b=\"c\"}\""),
                line2("a 1 # b", "expected '{' to open the exemplar's labels"),
                line2("a 1 # {b=\"c\"}", "expected a single space before the exemplar's value"),
                line2("a 1 # {b=\"c\"} ", "expected the exemplar's value"),
                line2("a 1 # {b=\"c\"} x", "invalid value \"x\""),
                line2("a 1 # {b=\"c\"} 1 NaN", "invalid timestamp \"NaN\""),
                line2("a 1 # {b=\"c\"} 1 2 3", "unexpected text after the exemplar"),
                line2("a 1 # {b=\"c\",b=\"d\"} 1", "duplicate label name \"b\""),
                line2("a 1 # {b=\"c} 1", "unterminated value of label b"),
                line2("a 1 # {b=\"c\" } 1", "expected ',' or '}' after the value of label b"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badBodies")
    void parse_malformedBody_failsWhole_withLineAndReason(Bad c) {
        RecordingSink sink = new RecordingSink();
        assertThatThrownBy(() -> OpenMetricsParser.parse(c.body(), NOW, sink))
                .isInstanceOf(MalformedRequestException.class)
                .hasMessageStartingWith("cannot parse OpenMetrics text: line ")
                .hasMessageContaining(c.message());
        assertThat(sink.calls).as("nothing reaches the sink, metadata included").isEmpty();
    }

    @Test
    void parse_errorColumn_pointsAtTheProblem() {
        assertThatThrownBy(() -> OpenMetricsParser.parse("a{b=\"1\"} 1 x\n# EOF\n", NOW, new RecordingSink()))
                .hasMessage("cannot parse OpenMetrics text: line 1: invalid timestamp \"x\" (expected seconds since the "
                        + "epoch, e.g. 1520879607.789) (at column 12 of \"a{b=\"1\"} 1 x\")");
    }

    /** The fuzzer's seed is worth mutating only while it is a valid body that reaches every rule. */
    @Test
    void fuzzSeed_isAValidBody() throws Exception {
        String seed;
        try (var in = OpenMetricsParserTest.class.getResourceAsStream(
                "/io/sightline/ingest/fuzz/ParserFuzzTestInputs/openMetrics/counter-with-exemplar")) {
            assertThat(in).isNotNull();
            seed = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(parse(seed, NOW)).containsExactly(
                "META req counter help=Requests \"served\". unit=",
                "META req_seconds unknown help= unit=seconds",
                "req_total{code=\"200\", path=\"C:\\\\x\"} 3.0 1520879607789 st=1520879000000",
                "req_created{code=\"200\", path=\"C:\\\\x\"} 1.520879E9 " + NOW,
                "up NaN " + NOW);
    }

    /** Property: random mutations never escape as anything but MalformedRequestException. */
    @Test
    void mutatedBody_failsCleanly_seeded() {
        String base = "# TYPE a counter\n# HELP a x\\\\y\n# UNIT a_s s\na_total{x=\"1\",y=\"q\\\\\\\"\"} 1.5 100.25"
                + " # {t=\"u\"} 2 99.5\nb 2\nc{z=\"w\"} NaN\n# EOF\n";
        String alphabet = "{}=\",\\ #\n\t0123456789.eE+-abcxyzNaInf_:EOFTYPEHLPUNI";
        Random r = new Random(12);
        int failures = 0;
        for (int i = 0; i < 20_000; i++) {
            String mutated = Mutations.mutate(r, base, alphabet);
            RecordingSink sink = new RecordingSink();
            try {
                OpenMetricsParser.parse(mutated, NOW, sink);
            } catch (MalformedRequestException e) {
                failures++;
                assertThat(e.getMessage()).startsWith("cannot parse OpenMetrics text: line ");
                assertThat(sink.calls).isEmpty();
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " threw " + e + " for:\n" + mutated, e);
            }
        }
        assertThat(failures).isGreaterThan(1000);
    }
}
