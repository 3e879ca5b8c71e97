package io.sightline.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.ValueType;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParserTest {

    static Stream<Arguments> canonical() {
        return Stream.of(
                Arguments.of("sum(rate(x[5m]))by(a)", "sum by (a) (rate(x[5m]))"),
                Arguments.of("a+b*c", "a + b * c"),
                Arguments.of("(a+b)*c", "(a + b) * c"),
                Arguments.of("-2^2", "-2 ^ 2"),
                Arguments.of("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
                Arguments.of("a > bool on(x) group_left(y) b", "a > bool on (x) group_left (y) b"),
                Arguments.of("a unless ignoring(j) b", "a unless ignoring (j) b"),
                Arguments.of("foo{a=\"b\",c!~\"d.*\"} offset 5m @ 100", "foo{a=\"b\", c!~\"d.*\"} @ 100.000 offset 5m"),
                Arguments.of("foo[1h30m] @ start()", "foo[1h30m] @ start()"),
                Arguments.of("rate(foo[5m:]) ", "rate(foo[5m:])"),
                Arguments.of("max_over_time(foo[10m:1m] offset -1m)", "max_over_time(foo[10m:1m] offset -1m)"),
                Arguments.of("topk(3, x) without (a)", "topk without (a) (3, x)"),
                Arguments.of("count_values(\"v\", x)", "count_values(\"v\", x)"),
                // Numbers as Go's ParseInt(s, 0, 64) then ParseFloat read them (Debian's Prometheus 2.42 agrees),
                // written as the current Prometheus writes them ('f', no exponent).
                Arguments.of("0777", "511"),
                Arguments.of("025 + 08 + 00 + 09.5 + 017e1", "21 + 8 + 0 + 9.5 + 170"),
                Arguments.of("0x1F + 0X1f", "31 + 31"),
                Arguments.of("0777777777777777777777777", "777777777777777800000000"),
                Arguments.of("1e6 * 0.00001 * 1e21", "1000000 * 0.00001 * 1000000000000000000000"),
                Arguments.of("up{a=\"b\",}", "up{a=\"b\"}"),
                Arguments.of("{\"my.metric\", \"a.b\"=\"c\"}", "{__name__=\"my.metric\", \"a.b\"=\"c\"}"),
                Arguments.of("x + fill(0) y", "x + fill (0) y"),
                Arguments.of("rate(x[5m] anchored)", "rate(x[5m] anchored)"),
                Arguments.of("x smoothed", "x smoothed"),
                Arguments.of("changes(x[2m*15])", "changes(x[2m * 15])"),
                Arguments.of("0x1F + 1e3 + .5 + Inf - NaN", "31 + 1000 + 0.5 + +Inf - NaN"),
                Arguments.of("'a\\tb' ", "\"a\\tb\""),
                Arguments.of("`raw\\n`", "\"raw\\\\n\""),
                Arguments.of("SUM BY (a) (x)", "sum by (a) (x)"),
                Arguments.of("foo # comment", "foo"),
                Arguments.of("x offset step()", "x offset step()"),
                // Inf and NaN are numbers in durations too (a fuzz finding: 1e400 printed as +Inf).
                Arguments.of("x[5m % 1e400]", "x[5m % +Inf]"),
                Arguments.of("x[5m % inf]", "x[5m % +Inf]"),
                // Names the parser would read otherwise keep their braces (a fuzz finding: {"or"}).
                Arguments.of("{\"or\"}", "{__name__=\"or\"}"),
                Arguments.of("{__name__=\"by\"}", "{__name__=\"by\"}"),
                Arguments.of("{__name__=\"Inf\", a=\"b\"}", "{__name__=\"Inf\", a=\"b\"}"),
                Arguments.of("{__name__=\"sum\"}", "{__name__=\"sum\"}"),
                // Only metric names may hold ':' unquoted (a fuzz finding: {":r"="7r"} printed as {:r="7r"}).
                Arguments.of("{\":r\"=\"7r\"}", "{\":r\"=\"7r\"}"),
                Arguments.of("sum by (a:b) (x:y{\"a:b\"!=\"\"})", "sum by (\"a:b\") (x:y{\"a:b\"!=\"\"})"),
                // Spaces around matching operators, as people write them.
                Arguments.of("{a = \"b\"}", "{a=\"b\"}"),
                Arguments.of("x{a= \"b\", c !~ \"d\" , e =~\"f\"}", "x{a=\"b\", c!~\"d\", e=~\"f\"}"),
                // A second name matcher keeps the first one in the braces (x{__name__="y"} would set it twice).
                Arguments.of("{\"x\", __name__=\"y\"}", "{__name__=\"x\", __name__=\"y\"}"),
                Arguments.of("{\"x\", __name__=~\"y.*\"}", "{__name__=\"x\", __name__=~\"y.*\"}"),
                // An empty ignoring () stays with its group_left: without it the match would be one-to-one.
                Arguments.of("x * ignoring() group_left(b) y", "x * ignoring () group_left (b) y"),
                Arguments.of("x * ignoring() group_right y", "x * ignoring () group_right () y"),
                Arguments.of("x * ignoring() y", "x * y"));
    }

    @ParameterizedTest
    @MethodSource("canonical")
    void parse_thenPrint_isCanonical_andStable(String query, String printed) {
        String once = Printer.print(Parser.parse(query));
        assertThat(once).isEqualTo(printed);
        assertThat(Printer.print(Parser.parse(once))).isEqualTo(once);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", "1:1: parse error: no expression found in input"),
                Arguments.of("rate(up[5m],)", "1:12: parse error: trailing commas not allowed in function call args"),
                Arguments.of("topk(2, up,)", "1:11: parse error: trailing commas not allowed in function call args"),
                Arguments.of("up{method:=\"x\"}", "1:10: parse error: unexpected character inside braces: ':'"),
                Arguments.of("0xFFFFFFFFFFFFFFFFF", "1:1: parse error: bad number or duration syntax"),
                Arguments.of("sum(", "1:5: parse error: unexpected end of input"),
                Arguments.of("foo{", "1:5: parse error: unexpected end of input, expected label matching"),
                Arguments.of("foo{a=b}", "1:7: parse error: unexpected identifier \"b\", expected label value"),
                Arguments.of("{}", "vector selector must contain at least one non-empty matcher"),
                Arguments.of("{a=~\".*\"}", "vector selector must contain at least one non-empty matcher"),
                Arguments.of("foo{a=~\"(\"}", "invalid regular expression"),
                Arguments.of("rate(foo)", "expected type range vector in call to function \"rate\", got instant vector"),
                Arguments.of("nosuch(foo)", "unknown function with name \"nosuch\""),
                Arguments.of("abs(a, b)", "expected 1 argument(s) in call to \"abs\", got 2"),
                Arguments.of("1 > 2", "comparisons between scalars must use BOOL modifier"),
                Arguments.of("1 and 2", "set operator \"and\" not allowed in binary scalar expression"),
                Arguments.of("a + bool b", "bool modifier can only be used on comparison operators"),
                Arguments.of("a and on(x) group_left b", "no grouping allowed for \"and\" operation"),
                Arguments.of("1 + on(x) 2", "vector matching only allowed between instant vectors"),
                Arguments.of("sum(x[5m])", "expected type instant vector in aggregation expression, got range vector"),
                Arguments.of("topk(x)", "wrong number of arguments for aggregate expression provided, expected 2, got 1"),
                Arguments.of("(x)[5m]", "ranges only allowed for vector selectors"),
                Arguments.of("x[5m][5m:1m]", "subquery is only allowed on instant vector, got range vector"),
                Arguments.of("x[5m][5m]", "ranges only allowed for vector selectors"),
                Arguments.of("x offset 1m offset 2m", "offset may not be set multiple times"),
                Arguments.of("sum(x) offset 1m", "offset modifier must be preceded by an instant vector selector"),
                Arguments.of("x[0s]", "range must be greater than 0"),
                Arguments.of("x[5m/0]", "division by zero in duration expression"),
                Arguments.of("x[1m + inf]", "1:2: parse error: duration is out of range"),
                Arguments.of("x offset (NaN)", "duration is out of range"),
                Arguments.of("\"abc", "unterminated quoted string"),
                Arguments.of("\"\\q\"", "unknown escape sequence"),
                Arguments.of("\"\\U9EEEE4E9\"", "invalid Unicode code point in escape sequence"),
                Arguments.of("1.2.3", "bad number or duration syntax"),
                Arguments.of("foo !", "unexpected character after '!'"),
                Arguments.of("a\n+ $", "2:3: parse error: unexpected character: '$'"),
                Arguments.of("-\"a\"", "unary expression only allowed on expressions of type scalar or instant vector"),
                Arguments.of("foo{\"a\\xff\"=\"b\"}", "invalid label name"),
                Arguments.of("x[5m] + 1", "binary expression must contain only scalar and instant vector types"),
                Arguments.of("x = 1", "1:3: parse error: unexpected \"=\""),
                Arguments.of("x ~ 1", "1:3: parse error: unexpected character: '~'"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidQueries_failWithPositionAndReason(String query, String message) {
        assertThatThrownBy(() -> Parser.parse(query)).isInstanceOf(ParseException.class).hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void types_areInferred() {
        assertThat(Parser.parse("1 + 1").type()).isEqualTo(ValueType.SCALAR);
        assertThat(Parser.parse("x[5m]").type()).isEqualTo(ValueType.MATRIX);
        assertThat(Parser.parse("x + 1").type()).isEqualTo(ValueType.VECTOR);
        assertThat(Parser.parse("\"s\"").type()).isEqualTo(ValueType.STRING);
        assertThat(Parser.parse("scalar(x)")).isInstanceOf(Expr.Call.class);
    }
}
