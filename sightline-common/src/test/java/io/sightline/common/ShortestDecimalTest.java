package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShortestDecimalTest {

    /** The result as a BigDecimal {@code f × 10^e}. */
    static BigDecimal shortest(double v) {
        BigDecimal[] out = new BigDecimal[1];
        ShortestDecimal.of(v, (f, e) -> {
            assertThat(f % 10).as("no trailing zero in %s", f).isNotZero();
            out[0] = BigDecimal.valueOf(f, -e);
        });
        return out[0];
    }

    /**
     * The definition, slowly: for 1, 2, ... significant digits, the decimals just below and just above
     * the exact binary value; the first length where one reads back as {@code v} wins, the closer one
     * if both do, the one with an even last digit on a tie. Java's parseDouble rounds correctly.
     */
    static BigDecimal reference(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 17; p++) {
            BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
            BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
            boolean downOk = Double.parseDouble(down.toString()) == v;
            boolean upOk = Double.parseDouble(up.toString()) == v;
            if (downOk && upOk) {
                int c = exact.subtract(down).compareTo(up.subtract(exact));
                if (c == 0) {
                    return down.unscaledValue().testBit(0) ? up.stripTrailingZeros() : down.stripTrailingZeros();
                }
                return (c < 0 ? down : up).stripTrailingZeros();
            }
            if (downOk || upOk) {
                return (downOk ? down : up).stripTrailingZeros();
            }
        }
        throw new AssertionError("no 17-digit decimal reads back as " + v);
    }

    static void check(double v) {
        BigDecimal got = shortest(v);
        assertThat(got).as("%s (bits %x)", v, Double.doubleToRawLongBits(v)).isEqualTo(reference(v));
        assertThat(Double.parseDouble(got.toString())).isEqualTo(v);
    }

    @Test
    void knownValues() {
        assertThat(shortest(0.1)).isEqualTo(new BigDecimal("0.1"));
        assertThat(shortest(1.0 / 3)).isEqualTo(new BigDecimal("0.3333333333333333"));
        assertThat(shortest(Double.MIN_VALUE)).isEqualTo(new BigDecimal("5E-324"));
        assertThat(shortest(Double.MAX_VALUE)).isEqualTo(new BigDecimal("1.7976931348623157E308"));
        assertThat(shortest(Double.MIN_NORMAL)).isEqualTo(new BigDecimal("2.2250738585072014E-308"));
        assertThat(shortest(1e23)).isEqualTo(new BigDecimal("1E23"));
        assertThat(shortest(123456.0)).isEqualTo(new BigDecimal("123456"));
        // JDK 17's Double.toString prints 2.82879384806159008E17 here: one digit too many.
        assertThat(shortest(2.82879384806159E17)).isEqualTo(new BigDecimal("2.82879384806159E17"));
    }

    @Test
    void everyPowerOfTwo_andItsNeighbours() {
        // The significand 2^52 is where the interval below is half as wide: its own branch.
        for (int exp = -1074; exp <= 1023; exp++) {
            double v = Math.scalb(1.0, exp);
            check(v);
            check(Math.nextUp(v));
            if (Math.nextDown(v) > 0) {
                check(Math.nextDown(v));
            }
        }
    }

    @Test
    void subnormals_smallestFirst() {
        for (long bits = 1; bits < 2_000; bits++) {
            check(Double.longBitsToDouble(bits));
        }
        check(Math.nextDown(Double.MIN_NORMAL));
    }

    @Test
    void randomBits_seeded() {
        SplittableRandom r = new SplittableRandom(20261205);
        for (int i = 0; i < 60_000; i++) {
            double v = Double.longBitsToDouble(r.nextLong() & 0x7fef_ffff_ffff_ffffL);
            if (v > 0) {
                check(v);
            }
        }
    }

    @Test
    void decimalsAsMetricsHaveThem_seeded() {
        // Rates, ratios, byte counts and durations: short decimals and quotients of counters.
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 40_000; i++) {
            double v = switch (i % 4) {
                case 0 -> r.nextLong(1, 10_000_000) / Math.pow(10, r.nextInt(0, 12));
                case 1 -> r.nextLong(1, 1L << 40) / (double) r.nextLong(1, 100_000);
                case 2 -> (double) r.nextLong(1L << 53, Long.MAX_VALUE);
                default -> r.nextDouble() * Math.pow(10, r.nextInt(-30, 30));
            };
            if (v > 0 && Double.isFinite(v)) {
                check(v);
            }
        }
    }

    @Test
    void refusesWhatIsNotFinitePositive() {
        for (double v : new double[] {0.0, -0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> ShortestDecimal.of(v, (f, e) -> {})).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
