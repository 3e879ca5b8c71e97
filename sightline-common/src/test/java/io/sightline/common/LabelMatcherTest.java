package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LabelMatcherTest {

    @ParameterizedTest(name = "{0}{1}\"{2}\" on \"{3}\" -> {4}")
    @CsvSource(delimiter = ';', value = {
        "job ; = ; api ; api ; true",
        "job ; = ; api ; apix ; false",
        "job ; = ; '' ; '' ; true",
        "job ; != ; api ; web ; true",
        "job ; != ; api ; api ; false",
        "job ; =~ ; api|web ; web ; true",
        "job ; =~ ; ap ; api ; false",
        "job ; =~ ; a.* ; api ; true",
        "job ; =~ ; .* ; '' ; true",
        "job ; =~ ; .+ ; '' ; false",
        "job ; !~ ; api|web ; db ; true",
        "job ; !~ ; api|web ; api ; false",
        "job ; =~ ; a.c ; 'a\nc' ; true",
    })
    void matches(String name, String op, String value, String input, boolean expected) {
        LabelMatcher.Type type = switch (op) {
            case "=" -> LabelMatcher.Type.EQUAL;
            case "!=" -> LabelMatcher.Type.NOT_EQUAL;
            case "=~" -> LabelMatcher.Type.REGEX;
            default -> LabelMatcher.Type.NOT_REGEX;
        };
        String in = input.replace("\\n", "\n");
        assertThat(LabelMatcher.of(type, name, value.replace("\\n", "\n")).matches(in)).isEqualTo(expected);
    }

    @Test
    void absentLabel_isTheEmptyString() {
        Labels l = Labels.of("__name__", "up");
        assertThat(LabelMatcher.equal("env", "").matches(l)).isTrue();
        assertThat(LabelMatcher.notEqual("env", "").matches(l)).isFalse();
        assertThat(LabelMatcher.regex("env", "prod|").matches(l)).isTrue();
    }

    @Test
    void badRegex_isRejectedWithTheExpression() {
        assertThatThrownBy(() -> LabelMatcher.regex("job", "(api")).hasMessageStartingWith("invalid regular expression \"(api\" for label job");
    }

    @Test
    void toString_isPromQl() {
        assertThat(LabelMatcher.regex("path", "/a\"b").toString()).isEqualTo("path=~\"/a\\\"b\"");
    }
}
