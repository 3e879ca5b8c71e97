package io.sightline.ingest.graphite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.ingest.SeriesSink;
import io.sightline.testkit.Mutations;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GraphiteParserTest {
    static final long NOW = 1_795_000_000_000L;

    static List<String> parse(String body) {
        List<String> out = new ArrayList<>();
        GraphiteParser.parse(body, NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                out.add(labels + " " + values[0] + " " + timestamps[0]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                out.add("INVALID " + series + ": " + reason);
            }
        });
        return out;
    }

    record Good(String line, String expected) {
        @Override
        public String toString() {
            return line;
        }
    }

    static Stream<Good> goodLines() {
        return Stream.of(
                new Good("servers.web-1.cpu.load 0.75 1700000000", "servers_web_1_cpu_load 0.75 1700000000000"),
                new Good("a.b 1", "a_b 1.0 " + NOW),
                new Good("a.b 1 -1", "a_b 1.0 " + NOW),
                new Good("a.b 1 -1.0", "a_b 1.0 " + NOW),
                new Good("a 2 1700000000.123", "a 2.0 1700000000123"),
                new Good("a 2 1700000000.1239", "a 2.0 1700000000123"),
                new Good("a 2 1.7e9", "a 2.0 1700000000000"),
                new Good("a 2 0", "a 2.0 0"),
                new Good("a 2 0.5", "a 2.0 500"),
                new Good("a 2 1_700_000_000", "a 2.0 1700000000000"),
                new Good("a NaN 1", "a NaN 1000"),
                new Good("a +Inf 1", "a Infinity 1000"),
                new Good("a -inf 1", "a -Infinity 1000"),
                new Good("a infinity 1", "a Infinity 1000"),
                new Good("a 0x1.8p1 1", "a 3.0 1000"),
                new Good("a 1_000.5 1", "a 1000.5 1000"),
                new Good("a -.5e-3 1", "a -5.0E-4 1000"),
                new Good("a 1. 1", "a 1.0 1000"),
                new Good("  a\t\t7   1  \r", "a 7.0 1000"),
                new Good("1st.metric 1 1", "_1st_metric 1.0 1000"),
                new Good("rate:5m.x 1 1", "rate:5m_x 1.0 1000"),
                new Good("caf\u00e9.\ud83d\ude00 1 1", "caf___ 1.0 1000"),
                new Good("... 1 1", "___ 1.0 1000"),
                new Good("disk.used;host=a;mount.point=/var 42 1700000000.5",
                        "disk_used{host=\"a\", mount_point=\"/var\"} 42.0 1700000000500"),
                new Good("m;dc=eu=west;1x=v 1 1", "m{_1x=\"v\", dc=\"eu=west\"} 1.0 1000"),
                new Good("m;k=\u00e9t\u00e9 1 1", "m{k=\"\u00e9t\u00e9\"} 1.0 1000"),
                new Good("m;k=1;k=2 1 1", "m{k=\"2\"} 1.0 1000"),
                new Good("m;name=other;__name__=x;__x=y;ok=1 1 1", "m{ok=\"1\"} 1.0 1000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodLines")
    void parseLine_goodLine_givesOneSample(Good c) {
        assertThat(parse(c.line())).containsExactly(c.expected());
    }

    @Test
    void parseLine_droppedTags_areCounted() throws Exception {
        GraphiteParser.Sample s = GraphiteParser.parseLine("m;name=other;__name__=x;ok=1 1 1", NOW);
        assertThat(s.tagsDropped()).isEqualTo(2);
        assertThat(s.labels()).isEqualTo(Labels.of("__name__", "m", "ok", "1"));
    }

    record Bad(String line, GraphiteParser.Reason reason, String message) {
        @Override
        public String toString() {
            return line;
        }
    }

    static Stream<Bad> badLines() {
        return Stream.of(
                new Bad("just.a.path", GraphiteParser.Reason.MALFORMED,
                        "expected \"<path> <value> [<timestamp>]\", got 1 field"),
                new Bad("a 1 2 3", GraphiteParser.Reason.MALFORMED, "expected \"<path> <value> [<timestamp>]\", got 4 fields"),
                new Bad("a abc 1", GraphiteParser.Reason.INVALID_VALUE, "invalid value \"abc\": not a number"),
                new Bad("a 1d 1", GraphiteParser.Reason.INVALID_VALUE, "invalid value \"1d\": not a number"),
                new Bad("a 0x10 1", GraphiteParser.Reason.INVALID_VALUE, "invalid value \"0x10\": not a number"),
                new Bad("a 1__0 1", GraphiteParser.Reason.INVALID_VALUE, "invalid value \"1__0\": not a number"),
                new Bad("a _1 1", GraphiteParser.Reason.INVALID_VALUE, "invalid value \"_1\": not a number"),
                new Bad("a +nan 1", GraphiteParser.Reason.INVALID_VALUE, "invalid value \"+nan\": not a number"),
                new Bad("a 1e999 1", GraphiteParser.Reason.INVALID_VALUE,
                        "invalid value \"1e999\": out of the range of a 64-bit float"),
                new Bad("a 1 yesterday", GraphiteParser.Reason.INVALID_TIMESTAMP,
                        "invalid timestamp \"yesterday\": expected Unix seconds from 0 to 9e15, or -1 for now"),
                new Bad("a 1 -2", GraphiteParser.Reason.INVALID_TIMESTAMP,
                        "invalid timestamp \"-2\": expected Unix seconds from 0 to 9e15, or -1 for now"),
                new Bad("a 1 NaN", GraphiteParser.Reason.INVALID_TIMESTAMP,
                        "invalid timestamp \"NaN\": expected Unix seconds from 0 to 9e15, or -1 for now"),
                new Bad("a 1 1e16", GraphiteParser.Reason.INVALID_TIMESTAMP,
                        "invalid timestamp \"1e16\": expected Unix seconds from 0 to 9e15, or -1 for now"),
                new Bad(";k=v 1 1", GraphiteParser.Reason.MALFORMED, "empty metric path before the tags"),
                new Bad("a; 1 1", GraphiteParser.Reason.MALFORMED, "empty tag (\";;\" or a trailing \";\")"),
                new Bad("a;;k=v 1 1", GraphiteParser.Reason.MALFORMED, "empty tag (\";;\" or a trailing \";\")"),
                new Bad("a;k 1 1", GraphiteParser.Reason.MALFORMED, "tag \"k\" has no \"=\""),
                new Bad("a;=v 1 1", GraphiteParser.Reason.MALFORMED, "tag \"=v\" has an empty name"),
                new Bad("a;k= 1 1", GraphiteParser.Reason.MALFORMED, "tag \"k\" has an empty value"),
                new Bad("a;k!=v 1 1", GraphiteParser.Reason.MALFORMED, "tag name \"k!\" contains \"!\" or \"^\""),
                new Bad("a;k^x=v 1 1", GraphiteParser.Reason.MALFORMED, "tag name \"k^x\" contains \"!\" or \"^\""),
                new Bad("a;k=~v 1 1", GraphiteParser.Reason.MALFORMED, "the value of tag \"k\" starts with \"~\""),
                new Bad("a " + "1".repeat(GraphiteParser.MAX_LINE_LENGTH), GraphiteParser.Reason.TOO_LONG,
                        "line of 65538 characters is longer than the limit of 65536"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void parseLine_badLine_isRefusedWithReason(Bad c) {
        assertThatThrownBy(() -> GraphiteParser.parseLine(c.line(), NOW))
                .isInstanceOfSatisfying(io.sightline.ingest.LineRefused.class, e -> {
                    assertThat(e.reason()).isEqualTo(c.reason());
                    assertThat(e.getMessage()).isEqualTo(c.message());
                });
    }

    @Test
    void parse_refusesBadLinesOneByOne_withLineNumbers_andSkipsBlankLines() {
        List<String> got = parse("""
                good.one 1 1700000000
                bad.value x 1700000000

                bad.fields
                good.two;env=prod 2\r
                bad;tag 3 1
                """);
        assertThat(got).containsExactly(
                "good_one 1.0 1700000000000",
                "INVALID line 2: invalid value \"x\": not a number",
                "INVALID line 4: expected \"<path> <value> [<timestamp>]\", got 1 field",
                "good_two{env=\"prod\"} 2.0 " + NOW,
                "INVALID line 6: tag \"tag\" has no \"=\"");
        GraphiteParser.Result r = GraphiteParser.parse("a 1\n\nb x\nc;name=n 2\n", NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {}

            @Override
            public void invalid(String series, String reason, int samples) {}
        });
        assertThat(r).isEqualTo(new GraphiteParser.Result(3, 2, 1, 1));
    }

    @Test
    void parseLine_blank_isNothing() throws Exception {
        assertThat(GraphiteParser.parseLine("", NOW)).isNull();
        assertThat(GraphiteParser.parseLine(" \t\r", NOW)).isNull();
    }

    /**
     * Property: a line written from a random path, tags, value and timestamp reads back as the sample it
     * describes: the sanitized name is a valid metric name, the value's bits and the milliseconds survive.
     */
    @Test
    void randomLines_roundTrip_seeded() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        String pathChars = "abcXYZ019_.-:/@\u00e9";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder path = new StringBuilder();
            for (int k = 0, n = 1 + r.nextInt(20); k < n; k++) {
                path.append(pathChars.charAt(r.nextInt(pathChars.length())));
            }
            String tagName = "t" + r.nextInt(5);
            String tagValue = "v" + r.nextInt(1000) + (r.nextBoolean() ? "=x" : "");
            boolean tagged = r.nextBoolean();
            double value = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(1000);
                case 1 -> r.nextGaussian() * 1e6;
                case 2 -> Double.longBitsToDouble(r.nextLong()) % 1e300;
                default -> -r.nextDouble();
            };
            if (Double.isNaN(value)) {
                value = 0;
            }
            long ms = 1_000_000_000_000L + (long) (r.nextDouble() * 1e12);
            String ts = (ms / 1000) + "." + String.format("%03d", ms % 1000);
            String line = path + (tagged ? ";" + tagName + "=" + tagValue : "") + " " + value + " " + ts;
            try {
                GraphiteParser.Sample s = GraphiteParser.parseLine(line, NOW);
                assertThat(Names.isValidMetricName(s.labels().metricName())).as(line).isTrue();
                assertThat(s.labels().metricName()).as(line).isEqualTo(GraphiteParser.sanitize(path.toString(), true));
                assertThat(Double.doubleToLongBits(s.value())).as(line).isEqualTo(Double.doubleToLongBits(value));
                assertThat(s.timestampMs()).as(line).isEqualTo(ms);
                assertThat(s.labels().get(tagName)).as(line).isEqualTo(tagged ? tagValue : ""); // Labels.get: "" when absent
            } catch (AssertionError | Exception e) {
                throw new AssertionError("seed " + seed + ", case " + i + ": " + line, e);
            }
        }
    }

    /** Property: random mutations never escape as an exception; every line is stored or refused. */
    @Test
    void mutatedBodies_neverThrow_seeded() {
        long seed = new Random().nextLong();
        String base = "a.b.c;k=v;x=y 1.5 1700000000.25\nd-e 0x1p3 -1\nf NaN\n";
        String alphabet = ";=!^~ \t\r\n.0123456789eExp+-_abcINFna\u00e9";
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            String mutated = Mutations.mutate(r, base, alphabet);
            List<String> got;
            try {
                got = parse(mutated);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", case " + i + " threw " + e + " for:\n" + mutated, e);
            }
            long nonBlank = java.util.Arrays.stream(mutated.split("\n", -1))
                    .filter(l -> !l.replace(" ", "").replace("\t", "").replace("\r", "").isEmpty()).count();
            assertThat(got).as("seed %d case %d: %s", seed, i, mutated).hasSize((int) nonBlank);
        }
    }
}
