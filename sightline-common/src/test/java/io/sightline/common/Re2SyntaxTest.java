package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class Re2SyntaxTest {
    static boolean matches(String re2, String s) {
        return Pattern.compile("^(?:" + Re2Syntax.toJava(re2) + ")$", Pattern.DOTALL).matcher(s).matches();
    }

    @Test
    void whatBothSpellAlike_isLeftAsItIs() {
        for (String re : new String[] {"a.*b", "(a|b)+c?", "x{2}", "x{2,}", "x{2,5}?", "[a-z0-9_]+", "[^abc]",
            "\\d+\\.\\d*", "(?i)abc", "(?s:.)", "\\p{Greek}", "\\x{263a}", "[\\p{L}\\d]", "\\Q{[*\\E", "a*?",
            "(?:a)", "(?<name>x)", "\\pN", "[-a]", "\\{"}) {
            assertThat(Re2Syntax.toJava(re)).as(re).isEqualTo(re);
        }
    }

    @Test
    void re2Literals_stayLiteral() {
        // A brace that starts no repetition, and [ or && inside a class, are plain characters in RE2.
        assertThat(matches("a{", "a{")).isTrue();
        assertThat(matches("({.*)", "{x")).isTrue();
        assertThat(matches("x{,3}", "x{,3}")).isTrue();
        assertThat(matches("x{a}", "x{a}")).isTrue();
        assertThat(matches("i[[12]", "i[")).isTrue();
        assertThat(matches("i[[12]", "i2")).isTrue();
        assertThat(matches("[a&&b]", "&")).isTrue();
        assertThat(matches("[]a]", "]")).isTrue();
        assertThat(matches("[^]a]", "b")).isTrue();
        assertThat(matches("[^]a]", "]")).isFalse();
    }

    @Test
    void posixClassesAndNamedGroups_asRe2ReadsThem() {
        assertThat(matches("[[:digit:]]+", "123")).isTrue();
        assertThat(matches("[[:digit:]]+", "12a")).isFalse();
        assertThat(matches("[[:^space:]x]+", "abx")).isTrue();
        assertThat(matches("[[:^space:]]", " ")).isFalse();
        assertThat(matches("[[:word:]]+", "a_1")).isTrue();
        assertThat(matches("[[:alpha:][:digit:]]+", "a1")).isTrue();
        Pattern p = Pattern.compile(Re2Syntax.toJava("(?P<host>[^:]+):(?P<port>\\d+)"));
        var m = p.matcher("h:80");
        assertThat(m.matches()).isTrue();
        assertThat(m.group("host")).isEqualTo("h");
        assertThat(m.group("port")).isEqualTo("80");
        assertThat(Re2Syntax.toJava("(?<User>x)")).isEqualTo("(?<User>x)");
    }

    @Test
    void whatRe2Refuses_isRefused() {
        for (String re : new String[] {"a*+", "a++", "a?+", "a{2}+", "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b",
            "(?>a)", "(a)\\1", "(?U)a+", "[[:nosuch:]]", "a**", "[a", "a\\"}) {
            assertThatThrownBy(() -> Re2Syntax.toJava(re)).as(re).isInstanceOf(PatternSyntaxException.class);
        }
    }

    /** Seeded random expressions from RE2's alphabet: each translation compiles or is refused, never throws else. */
    @Test
    void randomExpressions_translateOrAreRefusedCleanly() {
        Random rnd = new Random(7);
        String alphabet = "ab1.*+?|()[]{}^$\\-:,&dswpP2=!<>";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(12);
            for (int k = 0; k < len; k++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String re = sb.toString();
            try {
                Pattern.compile(Re2Syntax.toJava(re));
            } catch (PatternSyntaxException expected) {
                // refused by us or by Java: the callers turn it into a clear error
            }
        }
    }
}
