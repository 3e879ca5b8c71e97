package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code deriv} and {@code predict_linear} against Prometheus's linearRegression written out in full: the same bits
 * (any NaN alike) over seeded random series (regular, jittered and late timestamps, constant stretches, NaN and
 * infinite values, values whose sums overflow) and windows moved step by step as a range query moves them.
 */
class LinearRegressionTest {

    /** Prometheus's linearRegression: slope and intercept, x in seconds relative to {@code interceptTime}. */
    private static double[] reference(long[] ts, double[] vs, int lo, int hi, long interceptTime) {
        double n = 0;
        double[] sumX = {0, 0};
        double[] sumY = {0, 0};
        double[] sumXY = {0, 0};
        double[] sumX2 = {0, 0};
        double initY = vs[lo];
        boolean constY = true;
        for (int i = lo; i < hi; i++) {
            if (constY && i > lo && vs[i] != initY) {
                constY = false;
            }
            n += 1.0;
            double x = (double) (ts[i] - interceptTime) / 1e3;
            sumX = PrometheusKahan.kahanInc(x, sumX[0], sumX[1]);
            sumY = PrometheusKahan.kahanInc(vs[i], sumY[0], sumY[1]);
            sumXY = PrometheusKahan.kahanInc(x * vs[i], sumXY[0], sumXY[1]);
            sumX2 = PrometheusKahan.kahanInc(x * x, sumX2[0], sumX2[1]);
        }
        if (constY) {
            return Double.isInfinite(initY) ? new double[] {Double.NaN, Double.NaN} : new double[] {0, initY};
        }
        double sx = sumX[0] + sumX[1];
        double sy = sumY[0] + sumY[1];
        double sxy = sumXY[0] + sumXY[1];
        double sx2 = sumX2[0] + sumX2[1];
        double covXY = sxy - sx * sy / n;
        double varX = sx2 - sx * sx / n;
        double slope = covXY / varX;
        double intercept = sy / n - slope * sx / n;
        return new double[] {slope, intercept};
    }

    /** The bits of a number; every NaN alike (which NaN an operation gives is the processor's choice, never shown). */
    private static long bits(double v) {
        return Double.doubleToLongBits(v);
    }

    @Test
    void sameBitsAsPrometheus_seededRandom() {
        Random rnd = new Random(777);
        int windows = 0;
        int finiteWindows = 0; // summed on the fast path; the others (NaN, infinities, overflows) the careful way
        int keptX = 0; // windows that took the previous window's sums of x and x²
        for (int round = 0; round < 2_000; round++) {
            int n = 2 + rnd.nextInt(400);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long interval = 1_000L * (1 + rnd.nextInt(30));
            long t = 1_700_000_000_000L + rnd.nextInt(100_000);
            // Mostly regular (the shape repeats), sometimes jittered, sometimes a few samples late.
            int jitter = switch (rnd.nextInt(4)) {
                case 0 -> 25;
                case 1 -> -1;
                default -> 0;
            };
            double v = rnd.nextBoolean() ? rnd.nextDouble() * 1e11 : rnd.nextDouble() * 10;
            for (int i = 0; i < n; i++) {
                ts[i] = t;
                long gap = interval;
                if (jitter > 0) {
                    gap += rnd.nextInt(2 * jitter + 1) - jitter;
                } else if (jitter < 0 && rnd.nextInt(50) == 0) {
                    gap += 1 + rnd.nextInt(3_000);
                }
                t += gap;
                vs[i] = v;
                v = switch (rnd.nextInt(40)) {
                    case 0 -> Double.NaN;
                    case 1 -> Double.POSITIVE_INFINITY;
                    case 2, 3, 4, 5, 6, 7, 8, 9 -> v; // constant stretches
                    case 10 -> rnd.nextBoolean() ? Double.MAX_VALUE / 2 : -Double.MAX_VALUE / 3; // sums overflow
                    case 11 -> Double.NEGATIVE_INFINITY;
                    case 12 -> rnd.nextBoolean() ? 0.0 : -0.0;
                    default -> (Double.isFinite(v) ? v : rnd.nextDouble()) + (rnd.nextDouble() - 0.4) * 1e3;
                };
            }
            long range = interval * (2 + rnd.nextInt(40)) + (rnd.nextBoolean() ? 0 : rnd.nextInt(5_000));
            long step = rnd.nextBoolean() ? interval * (1 + rnd.nextInt(4)) : 1 + rnd.nextInt(100_000);
            double horizon = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 20_000 - 5_000;
            // deriv only, predict_linear only, or both on each window.
            int which = rnd.nextInt(3);
            RangeFunctions.Window w = new RangeFunctions.Window();
            w.ts = ts;
            w.vs = vs;
            for (long end = ts[0] + rnd.nextInt(1_000); end <= ts[n - 1] + range; end += step) {
                w.slide(n, end - range, end, false);
                if (w.size() < 2) {
                    continue;
                }
                windows++;
                boolean finite = true;
                for (int i = w.lo; i < w.hi; i++) {
                    finite &= Double.isFinite(vs[i]) && Math.abs(vs[i]) < 1e300;
                }
                if (finite) {
                    finiteWindows++;
                }
                w.t = end;
                w.p0 = horizon;
                if (which != 1) {
                    double want = reference(ts, vs, w.lo, w.hi, ts[w.lo])[0];
                    double got = RangeFunctions.deriv(w);
                    assertThat(bits(got))
                            .as("deriv, round %d window [%d, %d) of %d: %s vs %s", round, w.lo, w.hi, n, got, want)
                            .isEqualTo(bits(want));
                }
                if (which != 0) {
                    double[] r = reference(ts, vs, w.lo, w.hi, end);
                    double want = r[0] * horizon + r[1];
                    double got = RangeFunctions.predictLinear(w);
                    assertThat(bits(got))
                            .as("predict_linear, round %d window [%d, %d) of %d: %s vs %s", round, w.lo, w.hi, n,
                                    got, want)
                            .isEqualTo(bits(want));
                }
            }
            keptX += w.regressionX().reused;
        }
        assertThat(windows).isGreaterThan(100_000);
        assertThat(finiteWindows).isGreaterThan(10_000).isLessThan(windows - 10_000);
        assertThat(keptX).isGreaterThan(windows / 10).isLessThan(windows - 10_000);
    }
}
