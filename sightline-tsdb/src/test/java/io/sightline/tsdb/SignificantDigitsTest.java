package io.sightline.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tsdb.chunk.DecimalChunk;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SignificantDigitsTest {

    @Test
    void examples() {
        assertThat(SignificantDigits.round(0.0041825937155214, 12)).isEqualTo(0.00418259371552);
        assertThat(SignificantDigits.round(-2.718281828459045, 3)).isEqualTo(-2.72);
        assertThat(SignificantDigits.round(123456789.75, 6)).as("more digits before the point").isEqualTo(123456790);
        assertThat(SignificantDigits.round(0.1 + 0.2, 15)).isEqualTo(0.3);
        assertThat(SignificantDigits.round(99.99999999999999, 12)).isEqualTo(100);
        assertThat(SignificantDigits.round(Math.PI, SignificantDigits.EXACT)).isEqualTo(Math.PI);
        assertThatThrownBy(() -> SignificantDigits.check(16)).hasMessageContaining("significant_digits");
        assertThatThrownBy(() -> SignificantDigits.check(-1)).hasMessageContaining("0 (exact) or 1 to 15");
    }

    @Test
    void specialValuesAndIntegers_keepTheirBits() {
        for (double v : new double[] {StaleNaN.VALUE, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_0000_1234L),
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 7, -123_456_789_012_345.0,
                9_007_199_254_740_991.0, Double.MIN_VALUE, 1e-300}) {
            for (int d = 1; d <= SignificantDigits.MAX; d++) {
                assertThat(Double.doubleToRawLongBits(SignificantDigits.round(v, d))).as("%s at %d digits", v, d)
                        .isEqualTo(Double.doubleToRawLongBits(v));
            }
        }
    }

    /**
     * Property: the result is within half a unit of the last kept digit (and a double's rounding), is the double nearest to a decimal of that many digits (or an
     * integer), rounding it again changes nothing, and a block stores it as a decimal.
     */
    @Test
    void roundedValues_areClose_stable_andDecimal_seeded() {
        Random r = new Random(31);
        for (int i = 0; i < 200_000; i++) {
            double v = switch (r.nextInt(4)) {
                case 0 -> r.nextGaussian() * Math.pow(10, r.nextInt(30) - 12);
                case 1 -> Double.longBitsToDouble(r.nextLong());
                case 2 -> r.nextInt(1000) / 1000.0 + r.nextInt(100);
                default -> (r.nextDouble() - 0.5) * 1e-9;
            };
            int digits = 1 + r.nextInt(SignificantDigits.MAX);
            double got = SignificantDigits.round(v, digits);
            String what = v + " at " + digits + " digits: " + got;
            assertThat(Double.doubleToRawLongBits(SignificantDigits.round(got, digits))).as("stable: " + what)
                    .isEqualTo(Double.doubleToRawLongBits(got));
            if (!Double.isFinite(v) || v == Math.rint(v) || Math.abs(v) < Math.pow(10, digits - 23)) {
                continue;
            }
            double unit = Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - digits + 1);
            assertThat(Math.abs(got - v)).as("close: " + what).isLessThanOrEqualTo(unit * 0.5 + 2 * Math.ulp(v));
            if (Math.abs(v) >= Math.pow(10, digits)) {
                assertThat(got).as("an integer: " + what).isEqualTo(Math.rint(got));
            } else {
                double shortest = new BigDecimal(got).round(new MathContext(digits, RoundingMode.HALF_EVEN))
                        .doubleValue();
                assertThat(shortest).as("a decimal of at most that many digits: " + what).isEqualTo(got);
            }
            byte[] chunk = DecimalChunk.encode(new long[] {1}, new double[] {got}, 1, 1);
            assertThat(chunk).as("a decimal: " + what).isNotNull();
        }
    }
}
