package io.sightline.alerting.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Alert templates as Prometheus expands them. The expected outputs are what Go's text/template with
 * Prometheus's functions prints (several from Prometheus's own template tests).
 */
class GoTemplateTest {
    static final Map<String, String> LABELS = Map.of("instance", "web-1:9100", "job", "node");

    /** A query that knows three series of {@code up} and nothing else. */
    static final QueryFunc QUERY = promql -> switch (promql) {
        case "up" -> List.of(
                Map.entry(Map.of("__name__", "up", "instance", "b"), 1.0),
                Map.entry(Map.of("__name__", "up", "instance", "a"), 0.0),
                Map.entry(Map.of("__name__", "up", "instance", "c"), 1.0));
        case "scalar(1)" -> List.of(Map.entry(Map.of(), 1.0));
        case "empty" -> List.of();
        default -> throw new IllegalArgumentException("bad query " + promql);
    };

    static String expand(String text, double value) throws TemplateException {
        return new AlertTemplates("http://sightline:8321/", Map.of("cluster", "eu1"))
                .expand("__alert_Test", text, LABELS, value, QUERY);
    }

    record Case(String template, double value, String expected) {
        @Override
        public String toString() {
            return template;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("{{ $labels.instance }} is down", 0, "web-1:9100 is down"),
                new Case("{{ .Labels.job }} / {{ $externalLabels.cluster }} / {{ $externalURL }}", 0,
                        "node / eu1 / http://sightline:8321/"),
                new Case("{{ $labels.missing }}", 0, "<no value>"),
                new Case("{{ printf \"%q %q %q\" 65 99999999999 -1 }}", 0, "'A' '\uFFFD' '\uFFFD'"),
                new Case("{{ \"\\U0001F600 \\u00e9 \\101 \\x41\" }} {{ '\\u00e9' }}", 0, "\uD83D\uDE00 \u00e9 A A 233"),
                new Case("[{{ index $labels \"missing\" }}]", 0, "[]"),
                new Case("{{ $value }}", 0.5, "0.5"),
                new Case("{{ $value }}", 3, "3"),
                new Case("{{ $value }}", 1234567, "1.234567e+06"),
                new Case("{{ $value }}", Double.NaN, "NaN"),
                new Case("{{ $value }}", Double.POSITIVE_INFINITY, "+Inf"),
                new Case("{{ humanize 1234567.0 }}", 0, "1.235M"),
                new Case("{{ $value | humanize }}", 0.000123, "123u"),
                new Case("{{ humanize 0 }} {{ humanize -1500 }} {{ humanize \"2048\" }}", 0, "0 -1.5k 2.048k"),
                new Case("{{ humanize1024 1048576.0 }} {{ humanize1024 512 }} {{ humanize1024 0.5 }}", 0, "1Mi 512 0.5"),
                new Case("{{ humanizeDuration 3661 }}|{{ humanizeDuration 90061 }}|{{ humanizeDuration 1.5 }}", 0,
                        "1h 1m 1s|1d 1h 1m 1s|1.5s"),
                new Case("{{ humanizeDuration 0.0015 }}|{{ humanizeDuration 0 }}|{{ humanizeDuration -61 }}", 0,
                        "1.5ms|0s|-1m 1s"),
                new Case("{{ humanizePercentage 0.1234 }} {{ $value | humanizePercentage }}", 0.5, "12.34% 50%"),
                new Case("{{ humanizeTimestamp 1435065584.128 }}", 0, "2015-06-23 13:19:44.128 +0000 UTC"),
                new Case("{{ toTime 1435065584 }}", 0, "2015-06-23 13:19:44 +0000 UTC"),
                new Case("{{ printf \"%.2f\" $value }} {{ printf \"%d%%\" 42 }}", 3.14159, "3.14 42%"),
                new Case("{{ printf \"%s\" 3 }} {{ printf \"%d\" }} {{ printf \"%d\" 1 2 }}", 0,
                        "%!s(int=3) %!d(MISSING) 1%!(EXTRA int=2)"),
                new Case("{{ printf \"%5.1f|%-4s|%05d|%q|%x|%e|%g\" 2.25 \"ab\" 42 \"q\" 255 1234.5 0.00001 }}", 0,
                        "  2.2|ab  |00042|\"q\"|ff|1.234500e+03|1e-05"),
                new Case("{{ printf \"%v %v %t %T\" $labels.job 1.5 true $value }}", 0, "node 1.5 true float64"),
                new Case("{{ printf \"%*d|%.*f\" 2000000000 1 2000000000 1.5 }}", 0, "%!(BADWIDTH)1|%!(BADPREC)1.500000"),
                new Case("{{ if gt $value 80.0 }}high{{ else if gt $value 50.0 }}mid{{ else }}low{{ end }}", 60, "mid"),
                new Case("{{ if and (ge $value 1.0) (lt $value 2.0) }}in{{ end }}", 1, "in"),
                new Case("{{ and 1 0 }} {{ or 0 \"\" \"x\" }} {{ not true }} {{ or 0 }}", 0, "0 x false 0"),
                new Case("{{ if eq $labels.job \"db\" \"node\" }}yes{{ end }}{{ if ne $labels.job \"node\" }}no{{ end }}", 0, "yes"),
                new Case("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", 0, "instance=web-1:9100;job=node;"),
                new Case("{{ range $labels }}{{ . }},{{ end }}", 0, "web-1:9100,node,"),
                new Case("{{ range query \"empty\" }}x{{ else }}none{{ end }}", 0, "none"),
                new Case("{{ with $labels.instance }}<{{ . }}>{{ end }}{{ with $labels.nope }}x{{ else }}-{{ end }}", 0,
                        "<web-1:9100>-"),
                new Case("a  {{- \"x\" -}}  \n b", 0, "axb"),
                new Case("a{{/* a comment */}}b{{- /* trimmed */ -}} c", 0, "abc"),
                new Case("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}{{ if true }}{{ $y := 3 }}{{ $y }}{{ end }}", 0, "23"),
                new Case("{{ \"a\" | printf \"%s-%s\" \"b\" }}", 0, "b-a"),
                new Case("{{ len $labels }} {{ len \"héllo\" }}", 0, "2 6"),
                new Case("{{ toUpper \"abc\" }} {{ toLower \"ABC\" }} {{ title \"hello wide-world\" }}", 0,
                        "ABC abc Hello Wide-World"),
                new Case("{{ reReplaceAll \"(a)(b)\" \"$2$1\" \"xabyab\" }} {{ reReplaceAll \":[0-9]+\" \"\" $labels.instance }}", 0,
                        "xbayba web-1"),
                new Case("{{ match \"^web\" $labels.instance }} {{ match \"^db\" $labels.instance }}", 0, "true false"),
                new Case("{{ stripPort \"example.com:8080\" }} {{ stripPort \"[::1]:80\" }} {{ stripPort \"host\" }}", 0,
                        "example.com ::1 host"),
                new Case("{{ stripDomain \"db.example.com:5432\" }} {{ stripDomain \"10.0.0.1:80\" }}", 0, "db:5432 10.0.0.1:80"),
                new Case("{{ graphLink \"up == 0\" }}", 0, "/graph?g0.expr=up+%3D%3D+0&g0.tab=0"),
                new Case("{{ tableLink \"rate(x[5m])\" }}", 0, "/graph?g0.expr=rate%28x%5B5m%5D%29&g0.tab=1"),
                new Case("{{ pathPrefix }}|{{ parseDuration \"1h30m\" }}", 0, "/|5400"),
                new Case("{{ query \"up\" | first | value }} {{ with query \"up\" }}{{ . | first | label \"instance\" }}{{ end }}", 0,
                        "1 b"),
                new Case("{{ range query \"up\" | sortByLabel \"instance\" }}{{ .Labels.instance }}={{ .Value }} {{ end }}", 0,
                        "a=0 b=1 c=1 "),
                new Case("{{ query \"scalar(1)\" | first | value }}", 0, "1"),
                new Case("{{ range $i, $s := query \"up\" }}{{ if eq $i 2 }}{{ break }}{{ end }}{{ if eq $i 0 }}{{ continue }}{{ end }}"
                        + "{{ $s.Labels.instance }}{{ end }}", 0, "a"),
                new Case("{{ define \"box\" }}[{{ . }}]{{ end }}{{ template \"box\" $labels.job }}{{ template \"box\" }}", 0,
                        "[node][<no value>]"),
                new Case("{{ html \"<a href='x'>&\\\"\" }} {{ urlquery \"a b&c\" }} {{ js \"it's <b>\" }}", 0,
                        "&lt;a href=&#39;x&#39;&gt;&amp;&#34; a+b%26c it\\'s \\u003Cb\\u003E"),
                new Case("{{ safeHtml \"<b>\" }} {{ args 1 \"x\" }}", 0, "<b> map[arg0:1 arg1:x]"),
                new Case("{{ print 1 2 \"a\" 3 \"b\" \"c\" }}|{{ println \"x\" 1 }}", 0, "1 2a3bc|x 1\n"),
                new Case("{{ index (args \"x\" \"y\") \"arg1\" }} {{ slice \"hello\" 1 3 }}", 0, "y el"),
                new Case("{{ 0x1F }} {{ 1e3 }} {{ 'a' }} {{ `raw\\n` }} {{ \"esc\\t\" }}", 0, "31 1000 97 raw\\n esc\t"),
                new Case("no actions at all", 0, "no actions at all"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expands_asPrometheus(Case c) throws Exception {
        assertThat(expand(c.template(), c.value())).isEqualTo(c.expected());
    }

    record Bad(String template, String message) {
        @Override
        public String toString() {
            return template;
        }
    }

    static Stream<Bad> parseErrors() {
        return Stream.of(
                new Bad("{{ humanise $value }}", "template: __alert_Test:1: function \"humanise\" not defined"),
                new Bad("{{ if }}x{{ end }}", "template: __alert_Test:1: missing value for if"),
                new Bad("{{ end }}", "template: __alert_Test:1: unexpected {{end}}"),
                new Bad("{{ if true }}x", "template: __alert_Test:1: unexpected EOF"),
                new Bad("{{ $nope }}", "template: __alert_Test:1: undefined variable \"$nope\""),
                new Bad("line1\n{{ .x", "template: __alert_Test:2: unclosed action"),
                new Bad("{{ \"unterminated }}", "template: __alert_Test:1: unterminated quoted string"),
                new Bad("{{ (1 }}", "template: __alert_Test:1: unclosed left paren"),
                new Bad("{{ 1) }}", "template: __alert_Test:1: unexpected right paren"),
                new Bad("{{ break }}", "template: __alert_Test:1: {{break}} outside {{range}}"),
                new Bad("{{ 1x }}", "template: __alert_Test:1: bad number syntax: \"1x\""),
                new Bad("{{ | x }}", "template: __alert_Test:1: missing value for command"),
                new Bad("{{/* unclosed }}", "template: __alert_Test:1: unclosed comment"),
                new Bad("{{ '\\", "template: __alert_Test:1: unterminated character constant"),
                // Escapes Go's strconv.Unquote refuses: beyond U+10FFFF, surrogates, signs, octal above one byte.
                new Bad("{{ \"\\U33333333\" }}", "template: __alert_Test:1: invalid syntax"),
                new Bad("{{ \"\\U-0000001\" }}", "template: __alert_Test:1: invalid syntax"),
                new Bad("{{ \"\\uD800\" }}", "template: __alert_Test:1: invalid syntax"),
                new Bad("{{ '\\U00110000' }}", "template: __alert_Test:1: invalid syntax"),
                new Bad("{{ \"\\x+1\" }}", "template: __alert_Test:1: invalid syntax"),
                new Bad("{{ \"\\777\" }}", "template: __alert_Test:1: invalid syntax"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parseErrors")
    void badTemplates_failToParse_withGosMessage(Bad b) {
        assertThat(AlertTemplates.check("__alert_Test", b.template())).isEqualTo(b.message());
        assertThatThrownBy(() -> expand(b.template(), 0)).isInstanceOf(TemplateException.class).hasMessage(b.message());
    }

    static Stream<Bad> runtimeErrors() {
        return Stream.of(
                new Bad("{{ humanize \"abc\" }}", "error calling humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax"),
                new Bad("{{ .Foo }}", "can't evaluate field Foo in type struct {"),
                new Bad("{{ $labels.job.x }}", "can't evaluate field x in type string"),
                new Bad("{{ if gt $value 80 }}x{{ end }}", "error calling gt: incompatible types for comparison"),
                new Bad("{{ query \"empty\" | first }}", "error calling first: first() called on vector with no elements"),
                new Bad("{{ query \"bad\" }}", "error calling query: bad query bad"),
                new Bad("{{ toUpper 3 }}", "expected string; found 3"),
                new Bad("{{ humanize 1 2 }}", "wrong number of args for humanize: want 1 got 2"),
                new Bad("{{ range $value }}x{{ end }}", "range can't iterate over 1"),
                new Bad("{{ index $labels 1 }}", "error calling index: value has type int; should be string"),
                new Bad("{{ template \"nope\" }}", "no template \"nope\""),
                new Bad("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", "exceeded maximum template depth"),
                new Bad("{{ \"x\" | .Labels }}", "can't give argument to non-function .Labels"),
                new Bad("{{ humanizeTimestamp 1e300 }}", "cannot be represented as a nanoseconds timestamp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimeErrors")
    void failingTemplates_sayWhereAndWhy(Bad b) {
        assertThat(AlertTemplates.check("__alert_Test", b.template())).isNull();
        assertThatThrownBy(() -> expand(b.template(), 1)).isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("template: __alert_Test:1: executing \"__alert_Test\" at <")
                .hasMessageContaining(b.message());
    }

    @Test
    void hostileTemplates_stopAtTheBounds() {
        StringBuilder doubling = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            doubling.append("{{ define \"d").append(i).append("\" }}{{ template \"d").append(i + 1).append("\" }}{{ template \"d")
                    .append(i + 1).append("\" }}{{ end }}");
        }
        doubling.append("{{ define \"d24\" }}x{{ end }}{{ template \"d0\" }}");
        assertThatThrownBy(() -> expand(doubling.toString(), 0)).hasMessageContaining("more than 1000000 steps");
        assertThatThrownBy(() -> expand("{{ $s := printf \"%0600000d\" 0 }}{{ printf \"%s%s\" $s $s }}", 0))
                .hasMessageContaining("error calling printf: the result exceeds 1048576 characters");
    }

    @Test
    void hugeOutput_isBounded() {
        StringBuilder t = new StringBuilder("{{ define \"x\" }}");
        t.append("0123456789".repeat(1000)).append("{{ end }}");
        t.append("{{ range $i, $s := query \"up\" }}");
        t.append("{{ template \"x\" }}".repeat(50));
        t.append("{{ end }}");
        // 3 series x 50 x 10 kB = 1.5 MB > the 1 MiB bound
        assertThatThrownBy(() -> expand(t.toString(), 0)).hasMessageContaining("the output exceeds");
    }

    /** Property: any text without delimiters is its own expansion; random bytes never escape as an exception. */
    @Test
    void randomText_isKeptOrRefused_seeded() {
        long seed = Long.getLong("sightline.seed", new Random().nextLong());
        Random r = new Random(seed);
        String alphabet = "{}$.| ()\"'`-/*abcx019:=,\n\\";
        for (int i = 0, rounds = Integer.getInteger("sightline.rounds", 20_000); i < rounds; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0, n = r.nextInt(30); k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            try {
                String out = expand(text, 1);
                if (!text.contains("{{")) {
                    assertThat(out).as("seed %d: %s", seed, text).isEqualTo(text);
                }
            } catch (TemplateException expected) {
                assertThat(expected.getMessage()).as("seed %d: %s", seed, text).startsWith("template: __alert_Test:");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + text + " threw " + e, e);
            }
        }
    }
}
