package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code sum_over_time} and {@code avg_over_time} against Prometheus's funcSumOverTime and funcAvgOverTime written out
 * in full (kahanSumInc with its reset on an infinite sum; the average's switch to an incremental mean on overflow):
 * the same bits, any NaN alike, over seeded random windows of values of every magnitude, zeros of both signs, NaN,
 * infinities and sums that overflow.
 */
class OverTimeSumsTest {

    private static double prometheusSum(double[] vs, int lo, int hi) {
        double[] s = {0, 0};
        for (int i = lo; i < hi; i++) {
            s = PrometheusKahan.kahanInc(vs[i], s[0], s[1]);
        }
        return Double.isInfinite(s[0]) ? s[0] : s[0] + s[1];
    }

    private static double prometheusAvg(double[] vs, int lo, int hi) {
        double sum = 0;
        double mean = 0;
        double count = 0;
        double c = 0;
        boolean incremental = false;
        for (int i = lo; i < hi; i++) {
            double f = vs[i];
            count++;
            if (!incremental) {
                double[] next = PrometheusKahan.kahanInc(f, sum, c);
                if (count == 1 || !Double.isInfinite(next[0])) {
                    sum = next[0];
                    c = next[1];
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                c /= count - 1;
            }
            double q = (count - 1) / count;
            double[] next = PrometheusKahan.kahanInc(f / count, q * mean, q * c);
            mean = next[0];
            c = next[1];
        }
        return incremental ? mean + c : sum / count + c / count;
    }

    private static double value(Random rnd, double base) {
        return switch (rnd.nextInt(60)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3, 4 -> (rnd.nextBoolean() ? 1 : -1) * Double.MAX_VALUE / (1 + rnd.nextInt(4)); // sums overflow
            case 5 -> rnd.nextBoolean() ? 0.0 : -0.0;
            case 6 -> Double.MIN_VALUE * rnd.nextInt(1000);
            default -> base + (rnd.nextDouble() - 0.5) * Math.scalb(1.0, rnd.nextInt(60) - 20);
        };
    }

    @Test
    void sameBitsAsPrometheus_seededRandom() {
        Random rnd = new Random(2026);
        int windows = 0;
        int finite = 0;
        for (int round = 0; round < 3_000; round++) {
            int n = 1 + rnd.nextInt(300);
            double[] vs = new double[n];
            long[] ts = new long[n];
            double base = Math.scalb(rnd.nextDouble(), rnd.nextInt(80) - 30) * (rnd.nextBoolean() ? 1 : -1);
            boolean special = rnd.nextInt(3) == 0; // a third with NaN, infinities and overflows, the rest plain
            for (int i = 0; i < n; i++) {
                ts[i] = 1_000L * i;
                vs[i] = special ? value(rnd, base) : base + (rnd.nextDouble() - 0.5) * Math.abs(base);
            }
            RangeFunctions.Window w = new RangeFunctions.Window();
            w.ts = ts;
            w.vs = vs;
            long range = 1_000L * (1 + rnd.nextInt(60));
            for (long end = 0; end < 1_000L * n + range; end += 1_000L * (1 + rnd.nextInt(5))) {
                w.slide(n, end - range, end, false);
                if (w.size() == 0) {
                    continue;
                }
                windows++;
                double wantSum = prometheusSum(vs, w.lo, w.hi);
                double wantAvg = prometheusAvg(vs, w.lo, w.hi);
                if (Double.isFinite(wantSum)) {
                    finite++;
                }
                assertThat(Double.doubleToLongBits(RangeFunctions.sum(w)))
                        .as("sum_over_time, round %d window [%d, %d)", round, w.lo, w.hi)
                        .isEqualTo(Double.doubleToLongBits(wantSum));
                assertThat(Double.doubleToLongBits(RangeFunctions.avg(w)))
                        .as("avg_over_time, round %d window [%d, %d)", round, w.lo, w.hi)
                        .isEqualTo(Double.doubleToLongBits(wantAvg));
            }
        }
        assertThat(windows).isGreaterThan(50_000);
        assertThat(finite).isGreaterThan(windows / 2).isLessThan(windows - 5_000);
    }
}
