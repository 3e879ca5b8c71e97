package io.sightline.ingest.statsd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Names;
import io.sightline.ingest.statsd.StatsdParser.Reason;
import io.sightline.testkit.Mutations;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StatsdParserTest {

    /** An event as one comparable line: {@code name{tags} type value [relative] @rate [member] dropped=n}. */
    static String describe(StatsdEvent e) {
        return e.name() + e.tags() + " " + e.type().code() + " " + (e.type() == StatsdEvent.Type.SET ? e.setMember()
                : e.value() + (e.relative() ? " relative" : "")) + " @" + e.sampleRate()
                + (e.tagsDropped() > 0 ? " dropped=" + e.tagsDropped() : "");
    }

    record Good(String line, String expected) {
        @Override
        public String toString() {
            return line;
        }
    }

    static Stream<Good> goodLines() {
        return Stream.of(
                new Good("page.views:1|c", "page_views{} c 1.0 @1.0"),
                new Good("page.views:10|c|@0.1", "page_views{} c 10.0 @0.1"),
                new Good("api-latency.p:320|ms", "api_latency_p{} ms 320.0 @1.0"),
                new Good("api.latency:320.5|ms|@0.5|#env:prod,region:eu-west", "api_latency{env=\"prod\", region=\"eu-west\"} ms 320.5 @0.5"),
                new Good("q:0.25|h", "q{} h 0.25 @1.0"),
                new Good("q:1e3|d|#a:1", "q{a=\"1\"} d 1000.0 @1.0"),
                new Good("temp:21.5|g", "temp{} g 21.5 @1.0"),
                new Good("temp:+3|g", "temp{} g 3.0 relative @1.0"),
                new Good("temp:-3|g", "temp{} g -3.0 relative @1.0"),
                new Good("temp:NaN|g", "temp{} g NaN @1.0"),
                new Good("temp:-Inf|g", "temp{} g -Infinity relative @1.0"),
                new Good("temp:5|g|@0.5", "temp{} g 5.0 @0.5"),
                new Good("users:alice|s", "users{} s alice @1.0"),
                new Good("users:1.5|s|#app:web", "users{app=\"web\"} s 1.5 @1.0"),
                new Good("9lives:1|c", "_9lives{} c 1.0 @1.0"),
                new Good("caf\u00e9/\ud83d\ude00:1|c", "caf___{} c 1.0 @1.0"),
                new Good("m:1|c|#k:v:w,k2:v2", "m{k=\"v:w\", k2=\"v2\"} c 1.0 @1.0"),
                new Good("m:1|c|#canary,:x,y:,,k.e-y:1", "m{k_e_y=\"1\"} c 1.0 @1.0 dropped=4"),
                new Good("m:1|c|#__name__:x,__a:b,ok:1", "m{ok=\"1\"} c 1.0 @1.0 dropped=2"),
                new Good("m:1|c|#k:1,k:2", "m{k=\"2\"} c 1.0 @1.0"),
                new Good("m:1|c|#1k:v", "m{_1k=\"v\"} c 1.0 @1.0"),
                new Good("m:1|c|c:83c0a99c0a54c0c187f461c7980e9b57f3f6a8b0c918c8d93df19a9de6f3fe1d", "m{} c 1.0 @1.0"),
                new Good("m:1_000|c", "m{} c 1000.0 @1.0"),
                new Good("  m:1|c\r", "m{} c 1.0 @1.0"),
                new Good("m:0|c", "m{} c 0.0 @1.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodLines")
    void parseLine_goodLine_givesOneEvent(Good c) throws Exception {
        assertThat(describe(StatsdParser.parseLine(c.line()))).isEqualTo(c.expected());
    }

    record Bad(String line, Reason reason, String message) {
        @Override
        public String toString() {
            return line;
        }
    }

    static Stream<Bad> badLines() {
        return Stream.of(
                new Bad("novalue", Reason.MALFORMED, "missing \":\" between the name and the value"),
                new Bad(":1|c", Reason.MALFORMED, "empty metric name"),
                new Bad("m:1", Reason.MALFORMED, "missing \"|<type>\" after the value"),
                new Bad("m:|c", Reason.MALFORMED, "empty value"),
                new Bad("m:1|x", Reason.INVALID_TYPE, "unknown metric type \"x\" (expected c, g, ms, h, d or s)"),
                new Bad("m:1|", Reason.INVALID_TYPE, "unknown metric type \"\" (expected c, g, ms, h, d or s)"),
                new Bad("m:1|C", Reason.INVALID_TYPE, "unknown metric type \"C\" (expected c, g, ms, h, d or s)"),
                new Bad("m:1|c:2|c", Reason.INVALID_TYPE,
                        "several values in one line (name:1|c:2|c) are not supported; send one line per value"),
                new Bad("m:abc|c", Reason.INVALID_VALUE, "invalid value \"abc\": not a number"),
                new Bad("m:1e999|g", Reason.INVALID_VALUE, "invalid value \"1e999\": out of the range of a 64-bit float"),
                new Bad("m:-1|c", Reason.INVALID_VALUE,
                        "counter increment -1 is negative: a Prometheus counter only goes up (send a gauge)"),
                new Bad("m:NaN|c", Reason.INVALID_VALUE, "counter increment NaN is not a finite number"),
                new Bad("m:Inf|ms", Reason.INVALID_VALUE, "observation Inf of a ms is not a finite number"),
                new Bad("m:NaN|d", Reason.INVALID_VALUE, "observation NaN of a d is not a finite number"),
                new Bad("m:1|c|@0", Reason.INVALID_SAMPLE_RATE, "sample rate \"0\" is not a number greater than 0 and at most 1"),
                new Bad("m:1|c|@1.5", Reason.INVALID_SAMPLE_RATE, "sample rate \"1.5\" is not a number greater than 0 and at most 1"),
                new Bad("m:1|c|@x", Reason.INVALID_SAMPLE_RATE, "sample rate \"x\" is not a number greater than 0 and at most 1"),
                new Bad("m:1|c|@0.5|@0.5", Reason.MALFORMED, "sample rate given twice"),
                new Bad("m:1|c|#a:b|#c:d", Reason.MALFORMED, "tags (|#...) given twice"),
                new Bad("m:1|c|", Reason.MALFORMED, "empty field after \"|\""),
                new Bad("m:1|c|x", Reason.MALFORMED, "unknown field \"x\" (expected @<sample rate> or #<tags>)"),
                new Bad("m:1|g|T1656581400", Reason.UNSUPPORTED,
                        "DogStatsD timestamps (|T...) are not supported: StatsD values are aggregated and stored at each flush"),
                new Bad("_e{5,4}:title|text", Reason.UNSUPPORTED, "DogStatsD events (_e{...}) are not supported"),
                new Bad("_sc|my.check|0", Reason.UNSUPPORTED, "DogStatsD service checks (_sc|...) are not supported"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void parseLine_badLine_isRefusedWithReason(Bad c) {
        assertThatThrownBy(() -> StatsdParser.parseLine(c.line()))
                .isInstanceOfSatisfying(io.sightline.ingest.LineRefused.class, e -> {
                    assertThat(e.reason()).isEqualTo(c.reason());
                    assertThat(e.getMessage()).isEqualTo(c.message());
                });
    }

    static List<String> parse(String packet) {
        List<String> out = new ArrayList<>();
        StatsdParser.Result r = StatsdParser.parse(packet, new StatsdParser.Sink() {
            @Override
            public void event(StatsdEvent event) {
                out.add(describe(event));
            }

            @Override
            public void refused(int lineNo, io.sightline.ingest.LineRefused refusal) {
                out.add("REFUSED line " + lineNo + " (" + refusal.reason().tag() + "): " + refusal.getMessage());
            }
        });
        out.add(r.toString());
        return out;
    }

    @Test
    void parse_packet_linesOneByOne_withLineNumbers() {
        assertThat(parse("a:1|c\nb:x|g\n\n\r\nc:2|ms|#t\nd:1\n")).containsExactly(
                "a{} c 1.0 @1.0",
                "REFUSED line 2 (invalid_value): invalid value \"x\": not a number",
                "c{} ms 2.0 @1.0 dropped=1",
                "REFUSED line 6 (malformed): missing \"|<type>\" after the value",
                "Result[lines=4, events=2, refused=2, tagsDropped=1]");
    }

    @Test
    void parseLine_blank_isNothing() throws Exception {
        assertThat(StatsdParser.parseLine("")).isNull();
        assertThat(StatsdParser.parseLine(" \t\r")).isNull();
    }

    /** Property: a line written from random parts reads back as what was written, with a valid name. */
    @Test
    void randomLines_roundTrip_seeded() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        String nameChars = "abcXYZ019_.-/\u00e9";
        String[] types = {"c", "g", "ms", "h", "d", "s"};
        for (int i = 0; i < 5_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int k = 0, n = 1 + r.nextInt(20); k < n; k++) {
                name.append(nameChars.charAt(r.nextInt(nameChars.length())));
            }
            String type = types[r.nextInt(types.length)];
            double value = type.equals("g") ? r.nextGaussian() * 1e3 : Math.abs(r.nextGaussian() * 1e3);
            String valueText = type.equals("s") ? "member" + r.nextInt(100) : Double.toString(value);
            double rate = r.nextBoolean() ? 1 : (1 + r.nextInt(100)) / 100.0;
            String line = name + ":" + valueText + "|" + type + (rate < 1 ? "|@" + rate : "") + (r.nextBoolean()
                    ? "|#env:e" + r.nextInt(3) : "");
            try {
                StatsdEvent e = StatsdParser.parseLine(line);
                assertThat(Names.isValidLabelName(e.name())).isTrue();
                assertThat(e.name()).isEqualTo(StatsdParser.sanitize(name.toString()));
                assertThat(e.type().code()).isEqualTo(type);
                assertThat(e.sampleRate()).isEqualTo(rate);
                if (type.equals("s")) {
                    assertThat(e.setMember()).isEqualTo(valueText);
                } else {
                    assertThat(e.value()).isEqualTo(value);
                    assertThat(e.relative()).isEqualTo(type.equals("g") && valueText.startsWith("-"));
                }
                assertThat(e.tags().size()).isEqualTo(line.contains("|#") ? 1 : 0);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("seed " + seed + ", case " + i + ": " + line, e);
            }
        }
    }

    /** Property: random mutations never escape as an exception; every non-blank line is an event or refused. */
    @Test
    void mutatedPackets_neverThrow_seeded() {
        long seed = new Random().nextLong();
        String base = "a.b:1.5|c|@0.5|#k:v,x\ng:-2|g\nt:320|ms|#env:prod\nu:bob|s\n";
        String alphabet = ":|@#,.\n\r 0123456789eE+-_abcgmshdTnaNIf\u00e9";
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
            assertThat(got).as("seed %d case %d: %s", seed, i, mutated).hasSize((int) nonBlank + 1);
        }
    }
}
