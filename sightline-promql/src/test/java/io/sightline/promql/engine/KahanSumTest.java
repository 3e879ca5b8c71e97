package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link KahanSum#roundingError} against Prometheus's two-branch compensation and against the exact error computed in
 * decimal: the same bits for each addition, and the same compensation after running sums, over seeded random
 * operands of every magnitude and sign, subnormals, zeros of both signs and sums near overflow. Where an addend is
 * near the largest double, the result may instead be infinite or NaN (never a wrong finite number): the callers then
 * sum again the careful way.
 */
class KahanSumTest {

    /** Prometheus's compensation (kahanSumInc without its reset on an infinite sum). */
    private static double prometheus(double sum, double inc, double t) {
        return Math.abs(sum) >= Math.abs(inc) ? (sum - t) + inc : (inc - t) + sum;
    }

    private static double operand(Random rnd) {
        return switch (rnd.nextInt(10)) {
            case 0 -> rnd.nextBoolean() ? 0.0 : -0.0;
            case 1 -> Double.MIN_VALUE * rnd.nextInt(1 << 20) * (rnd.nextBoolean() ? 1 : -1); // subnormal
            case 2 -> Double.MAX_VALUE / (1 + rnd.nextInt(8)) * (rnd.nextBoolean() ? 1 : -1); // near overflow
            case 3 -> rnd.nextInt(1000) - 500; // integers: many exact sums, errors of zero
            case 4 -> Math.ulp(1.0) * rnd.nextInt(16) * (rnd.nextBoolean() ? 1 : -1);
            default -> Math.scalb(rnd.nextDouble() - 0.5, rnd.nextInt(200) - 100);
        };
    }

    @Test
    void eachAddition_sameBitsAsPrometheus_andTheExactError() {
        Random rnd = new Random(4242);
        int checkedExactly = 0;
        int notFinite = 0;
        for (int i = 0; i < 2_000_000; i++) {
            double sum = operand(rnd);
            double inc = operand(rnd);
            double t = sum + inc;
            if (!Double.isFinite(t)) {
                continue; // Prometheus resets the compensation there; the fast loops leave such sums to the careful one
            }
            double got = KahanSum.roundingError(sum, inc, t);
            double want = prometheus(sum, inc, t);
            if (!Double.isFinite(got)) {
                assertThat(Math.max(Math.abs(sum), Math.abs(inc))).as("%s + %s", sum, inc)
                        .isGreaterThan(Double.MAX_VALUE / 2);
                notFinite++;
                continue;
            }
            if (got == 0 && want == 0) {
                continue; // either zero: the sign may differ (runningSums below checks that this changes nothing)
            }
            assertThat(Double.doubleToRawLongBits(got)).as("%s + %s", sum, inc)
                    .isEqualTo(Double.doubleToRawLongBits(want));
            if (i % 50 == 0) {
                BigDecimal exact = new BigDecimal(sum).add(new BigDecimal(inc)).subtract(new BigDecimal(t));
                assertThat(new BigDecimal(got)).as("%s + %s", sum, inc).isEqualByComparingTo(exact);
                checkedExactly++;
            }
        }
        assertThat(checkedExactly).isGreaterThan(20_000);
        assertThat(notFinite).isLessThan(2_000);
    }

    @Test
    void runningSums_sameCompensationAsPrometheus_neverNegativeZero() {
        Random rnd = new Random(99);
        for (int round = 0; round < 20_000; round++) {
            double s = 0;
            double c = 0;
            double cp = 0;
            int n = 1 + rnd.nextInt(300);
            for (int i = 0; i < n; i++) {
                double inc = rnd.nextInt(3) == 0 ? operand(rnd) : rnd.nextDouble() * 1e11;
                double t = s + inc;
                if (!Double.isFinite(t)) {
                    break;
                }
                c += KahanSum.roundingError(s, inc, t);
                cp += prometheus(s, inc, t);
                s = t;
                if (!Double.isFinite(c)) {
                    break; // an addend near the largest double: the callers sum such a window again
                }
                assertThat(Double.doubleToRawLongBits(c)).isEqualTo(Double.doubleToRawLongBits(cp));
                assertThat(Double.doubleToRawLongBits(c)).isNotEqualTo(Double.doubleToRawLongBits(-0.0));
            }
        }
    }
}
