package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The cases are what Go's {@code strconv.ParseFloat(s, 64)} answers (its atof_test.go table, in part). */
class GoFloatTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "1|1.0", "+1|1.0", "-1|-1.0", "1.5|1.5", ".5|0.5", "1.|1.0", "1e3|1000.0", "1E-3|0.001", "1e+3|1000.0",
        "0.000001|1.0E-6", "1_000|1000.0", "1_23.50_0_0e+1_2|1.235E14", "0x1p-2|0.25", "0X1.8P1|3.0", "0x_1p0|1.0",
        "0x.8p1|1.0", "-0x1p3|-8.0", "nan|NaN", "NaN|NaN", "inf|Infinity", "+Inf|Infinity", "-INF|-Infinity",
        "infinity|Infinity", "-Infinity|-Infinity", "1e-400|0.0", "-0|-0.0"})
    void parse_goSyntax_isAccepted(String s, double expected) {
        assertThat(GoFloat.isGoFloat(s)).isTrue();
        assertThat(Double.valueOf(GoFloat.parse(s))).isEqualTo(Double.valueOf(expected)); // NaN equals NaN, -0 differs from 0
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "+", "-", ".", "e3", "1e", "1e+", "1.2.3", "0x", "0x1", "0x1.8", "0xp1", "1d", "1f",
        " 1", "1 ", "_1", "1_", "1__0", "1_.5", "1._5", "1_e5", "0x_p1", "+nan", "-nan", "infin", "in", "Infinityy",
        "1,5", "0b101", "1e1.5", "--1", "+-1", "١"})
    void isGoFloat_otherText_isRefused(String s) {
        assertThat(GoFloat.isGoFloat(s)).isFalse();
        assertThatThrownBy(() -> GoFloat.parse(s)).isInstanceOf(NumberFormatException.class).hasMessage("not a number");
    }

    @Test
    void parse_beyondDoubleRange_isRefusedAsGoDoes() {
        assertThat(GoFloat.isGoFloat("1e999")).isTrue();
        assertThatThrownBy(() -> GoFloat.parse("-1e309")).isInstanceOf(NumberFormatException.class)
                .hasMessage("out of the range of a 64-bit float");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0.005, 0.005", "1, 1", "2.5, 2.5", "10, 10", "100000, 100000", "1000000, 1e+06", "1234567, 1.234567e+06",
        "0.0001, 0.0001", "0.00001, 1e-05", "0.99, 0.99", "-3.5, -3.5", "1e21, 1e+21", "0.000123, 0.000123", "123e-10, 1.23e-08"})
    void g_asGoFormatFloatG(double v, String expected) {
        assertThat(GoFloat.g(v)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0.005, 0.005", "1, 1", "1000000, 1000000", "1e21, 1000000000000000000000", "0.00001, 0.00001",
        "-2.5, -2.5", "-0.0, -0", "NaN, NaN", "Infinity, +Inf", "-Infinity, -Inf"})
    void plain_asGoFormatFloatF(double v, String expected) {
        assertThat(GoFloat.plain(v)).isEqualTo(expected);
    }

    /** Go's strconv.FormatFloat(v, 'f', -1, 64) and %g of values on the shortest-digits path. */
    @Test
    void plain_andG_shortestDigits() {
        Object[][] cases = {
            {0.1, "0.1", "0.1"},
            {1.0 / 3, "0.3333333333333333", "0.3333333333333333"},
            {-1234.5678, "-1234.5678", "-1234.5678"},
            {Double.MIN_VALUE, "0." + "0".repeat(323) + "5", "5e-324"},
            {2.82879384806159E17, "282879384806159000", "2.82879384806159e+17"},
            {1.5e15, "1500000000000000", "1.5e+15"},
            {0.000123, "0.000123", "0.000123"},
            {12.000001, "12.000001", "12.000001"},
            {Double.MAX_VALUE, "17976931348623157" + "0".repeat(292), "1.7976931348623157e+308"},
        };
        for (Object[] c : cases) {
            double v = (Double) c[0];
            assertThat(GoFloat.plain(v)).as("plain %s", v).isEqualTo(c[1]);
            assertThat(GoFloat.g(v)).as("g %s", v).isEqualTo(c[2]);
            assertThat(Double.parseDouble(GoFloat.plain(v))).isEqualTo(v);
        }
    }

    /** The cases are what Go's strconv.FormatFloat answers. */
    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        "1.5|g|4|1.5", "12345|g|4|1.234e+04", "1000|g|4|1000", "0|g|4|0", "0.000123456|g|4|0.0001235",
        "0.0000123456|g|4|1.235e-05", "999.95|g|4|1000", "123.456|g|-1|123.456", "1e6|g|-1|1e+06",
        "123456789|g|-1|1.23456789e+08", "100000|g|-1|100000", "0.0001|g|-1|0.0001", "0.00001|g|-1|1e-05",
        "-2.5|g|4|-2.5", "1|e|6|1.000000e+00", "1234.5678|e|2|1.23e+03", "0|e|-1|0e+00", "1e-300|e|-1|1e-300",
        "3.14159|f|2|3.14", "2.5|f|0|2", "3.5|f|0|4", "0.125|f|2|0.12", "1|f|6|1.000000", "1234.5|f|-1|1234.5",
        "0.000001|f|-1|0.000001", "-0.0|f|1|-0.0", "1e21|f|0|1000000000000000000000", "0.5|g|0|0.5",
        "NaN|g|4|NaN", "Infinity|f|2|+Inf", "-Infinity|e|2|-Inf"})
    void format_asGoStrconv(double v, char fmt, int prec, String expected) {
        assertThat(GoFloat.format(v, fmt, prec)).isEqualTo(expected);
    }

    /** Property: every double, as Java writes it, reads back bit for bit. */
    @Test
    void javaFormattedDoubles_roundTrip_seeded() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int i = 0; i < 50_000; i++) {
            double d = Double.longBitsToDouble(r.nextLong());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                continue;
            }
            String s = Double.toString(d);
            assertThat(Double.doubleToLongBits(GoFloat.parse(s))).as("seed %d: %s", seed, s)
                    .isEqualTo(Double.doubleToLongBits(d));
            String hex = Double.toHexString(d);
            assertThat(Double.doubleToLongBits(GoFloat.parse(hex))).as("seed %d: %s", seed, hex)
                    .isEqualTo(Double.doubleToLongBits(d));
        }
    }
}
