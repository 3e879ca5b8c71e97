package io.sightline.server.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.parser.Parser;
import io.sightline.server.dashboards.VariableSubstitution.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VariableSubstitutionTest {
    static final List<Variable> VARS = List.of(
            new Variable("instance", false, List.of("db-1:9100")),
            new Variable("job", true, List.of("api", "web")),
            new Variable("env", true, List.of()),
            new Variable("region", false, List.of()),
            new Variable("any", false, List.of("x", VariableSubstitution.ALL)),
            new Variable("quote", false, List.of("a\"b\\c\nd")));

    record Case(String expr, long stepMs, String expected) {
        @Override
        public String toString() {
            return expr + " @" + stepMs + "ms -> " + expected;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("up{instance=~\"$instance\"}", 15_000, "up{instance=~\"db-1:9100\"}"),
                new Case("up{instance=~\"${instance}\"}", 15_000, "up{instance=~\"db-1:9100\"}"),
                new Case("up{job=~\"$job\"}", 15_000, "up{job=~\"(api|web)\"}"),
                new Case("up{env=~\"$env\"}", 15_000, "up{env=~\".*\"}"),
                new Case("up{region=~\"$region\"}", 15_000, "up{region=~\"\"}"),
                new Case("up{a=~\"$any\"}", 15_000, "up{a=~\".*\"}"),
                new Case("up{q=~\"$quote\"}", 15_000, "up{q=~\"a\\\"b\\\\\\\\c\\nd\"}"),
                // Greedy names: $instance_id is another (unknown) variable and stays; ${instance}_id does not.
                new Case("x{a=~\"$instance_id\"}", 15_000, "x{a=~\"$instance_id\"}"),
                new Case("x{a=~\"${instance}_id\"}", 15_000, "x{a=~\"db-1:9100_id\"}"),
                new Case("x{a=~\"$unknown\", b=~\"${nope}\"} $ ${ $1", 15_000, "x{a=~\"$unknown\", b=~\"${nope}\"} $ ${ $1"),
                new Case("x{a=~\"end$\"}", 15_000, "x{a=~\"end$\"}"),
                new Case("rate(x[$__interval])", 30_000, "rate(x[30s])"),
                new Case("rate(x[$__interval])", 1_499, "rate(x[1s])"),
                new Case("rate(x[$__interval])", 200, "rate(x[1s])"),
                new Case("rate(x[$__interval])", 2_500, "rate(x[3s])"),
                new Case("rate(x[$__rate_interval])", 15_000, "rate(x[60s])"),
                new Case("rate(x[$__rate_interval])", 60_000, "rate(x[75s])"),
                new Case("rate(x[${__rate_interval}])", 300_500, "rate(x[315500ms])"),
                new Case("$__all", 15_000, "$__all"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void substitute_followsTheRules(Case c) throws Exception {
        assertThat(VariableSubstitution.substitute(c.expr(), VARS, c.stepMs())).isEqualTo(c.expected());
    }

    @Test
    void regexEscape_escapesEveryMetacharacter() {
        assertThat(VariableSubstitution.regexEscape("a.b+c*d?e(f)g|h[i]j{k}l^m$n\\o-p"))
                .isEqualTo("a\\.b\\+c\\*d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o-p");
    }

    @Test
    void promqlString_escapesQuotesBackslashesAndControlCharacters() {
        assertThat(VariableSubstitution.promqlString("\"\\\n\r\t\u0001\u007f'`é"))
                .isEqualTo("\\\"\\\\\\n\\r\\t\\x01\\x7f'`é");
    }

    @Test
    void substitute_tooLong_isRefused() {
        String big = "v".repeat(10_000);
        List<Variable> vars = List.of(new Variable("v", false, List.of(big)));
        assertThatThrownBy(() -> VariableSubstitution.substitute("$v".repeat(101), vars, 15_000))
                .isInstanceOf(VariableSubstitution.TooLong.class)
                .hasMessage("the query is longer than 1000000 characters once its variables are substituted");
    }

    /** Characters chosen to stress both escaping layers, plus arbitrary code points. */
    private static String randomValue(Random r) {
        String nasty = "\\.+*?()|[]{}^$\"'`\n\r\t\u0000\u0001\u007f -_/:=~!,#&%@";
        StringBuilder sb = new StringBuilder();
        int len = r.nextInt(12);
        for (int i = 0; i < len; i++) {
            switch (r.nextInt(4)) {
                case 0, 1 -> sb.append(nasty.charAt(r.nextInt(nasty.length())));
                case 2 -> sb.append((char) ('a' + r.nextInt(26)));
                default -> {
                    int cp;
                    do {
                        cp = r.nextInt(0x10FFFF);
                    } while (cp >= 0xD800 && cp <= 0xDFFF);
                    sb.appendCodePoint(cp);
                }
            }
        }
        return sb.toString();
    }

    /** The matcher value of {@code {l=~"<substituted>"}} once the real PromQL lexer has undone the string escapes. */
    private static String parsedRegex(String substituted) {
        Expr e = Parser.parse("m{l=~\"" + substituted + "\"}");
        LabelMatcher m = ((Expr.VectorSelector) e).matchers().stream().filter(x -> x.name().equals("l")).findFirst()
                .orElseThrow();
        assertThat(m.type()).isEqualTo(LabelMatcher.Type.REGEX);
        return m.value();
    }

    /**
     * Property: a substituted value, read back through PromQL's string escapes, is a regular expression
     * that matches exactly the original value (java.util.regex, anchored as label matchers are), and
     * several values match each of themselves and nothing else drawn at random.
     */
    @Test
    void substitutedValues_roundTrip_seeded() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            String value = randomValue(r);
            String other = randomValue(r);
            String substituted = VariableSubstitution.substitute("$v", List.of(new Variable("v", false, List.of(value))),
                    15_000);
            String regex = parsedRegex(substituted);
            Pattern p = Pattern.compile("^(?:" + regex + ")$", Pattern.DOTALL);
            assertThat(p.matcher(value).matches()).as("seed %d: %s -> %s", seed, value, substituted).isTrue();
            assertThat(p.matcher(other).matches()).as("seed %d: %s matched %s", seed, regex, other)
                    .isEqualTo(other.equals(value));
            assertThat(LabelMatcher.regex("l", regex).matches(value)).as("seed %d", seed).isTrue();

            List<String> several = new ArrayList<>(List.of(value, other, randomValue(r)));
            String multi = parsedRegex(VariableSubstitution.substitute("$v",
                    List.of(new Variable("v", true, several)), 15_000));
            Pattern mp = Pattern.compile("^(?:" + multi + ")$", Pattern.DOTALL);
            for (String s : several) {
                assertThat(mp.matcher(s).matches()).as("seed %d: %s vs %s", seed, multi, s).isTrue();
            }
            String stranger = randomValue(r);
            assertThat(mp.matcher(stranger).matches()).as("seed %d: %s vs %s", seed, multi, stranger)
                    .isEqualTo(several.contains(stranger));
        }
    }
}
