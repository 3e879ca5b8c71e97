package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code quantile_over_time} keeps each window's values in order for the next step ({@link
 * RangeFunctions.SortedWindow}); here against Prometheus's quantile written out (a sorted copy of every window, NaN
 * first as Go's {@code sort.Float64s} leaves it): the same bits, NaNs alike, over seeded random series rich in
 * duplicates, zeros of both signs, infinities and NaN, and windows moved as range queries move them (a few samples a
 * step, jumps past the last window, the same window again as an {@code @} time gives, an emptied window).
 */
class QuantileOverTimeTest {

    /** Prometheus's quantile (promql/quantile.go) over a window: sort a copy, interpolate between two ranks. */
    private static double reference(double q, double[] vs, int lo, int hi) {
        if (hi == lo || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        double[] copy = Arrays.copyOfRange(vs, lo, hi);
        Arrays.sort(copy); // -0 before 0, NaN last
        int nan = 0;
        while (nan < copy.length && Double.isNaN(copy[copy.length - 1 - nan])) {
            nan++;
        }
        double[] goOrder = new double[copy.length];
        Arrays.fill(goOrder, 0, nan, Double.NaN);
        System.arraycopy(copy, 0, goOrder, nan, copy.length - nan);
        double n = goOrder.length;
        double rank = q * (n - 1);
        double lower = Math.max(0, Math.floor(rank));
        double upper = Math.min(n - 1, lower + 1);
        double weight = rank - Math.floor(rank);
        return goOrder[(int) lower] * (1 - weight) + goOrder[(int) upper] * weight;
    }

    private static final double[] POOL = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        1, 2, 2.5, -3, 1e300, -1e300, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE};

    private static double[] series(Random r, int n) {
        double[] vs = new double[n];
        int kind = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            vs[i] = switch (kind) {
                case 0 -> POOL[r.nextInt(POOL.length)];
                case 1 -> r.nextInt(10) == 0 ? POOL[r.nextInt(POOL.length)] : r.nextGaussian() * 100;
                case 2 -> r.nextInt(5); // a gauge of few values: duplicates everywhere
                default -> i > 0 && r.nextInt(3) > 0 ? vs[i - 1] : Math.floor(r.nextGaussian() * 4) * 0.25;
            };
        }
        return vs;
    }

    private static double q(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 0.5;
            case 3 -> r.nextBoolean() ? -0.5 : 1.5; // outside [0, 1]
            case 4 -> Double.NaN;
            default -> r.nextDouble();
        };
    }

    @Test
    void slidingWindows_giveTheSameBitsAsSortingEachWindow() {
        Random r = new Random(20261207);
        long windows = 0;
        long rebuilds = 0;
        for (int round = 0; round < 2_000; round++) {
            boolean wide = round % 25 == 0; // windows of thousands, moved past the limit of moving them in place
            int n = 1 + r.nextInt(wide ? 4_000 : 400);
            double[] vs = series(r, n);
            RangeFunctions.Window w = new RangeFunctions.Window();
            w.vs = vs;
            int width = 1 + r.nextInt(Math.min(n, wide ? 2_500 : 150));
            int step = 1 + r.nextInt(Math.max(1, r.nextInt(4) == 0 ? width : width / 10));
            int lo = 0;
            int hi = Math.min(n, width);
            while (lo < n) {
                w.lo = lo;
                w.hi = hi;
                w.p0 = q(r);
                double got = RangeFunctions.quantile(w);
                windows++;
                double want = reference(w.p0, vs, lo, hi);
                assertThat(Double.doubleToLongBits(got))
                        .as("round %d, window [%d, %d) of %s, q=%s", round, lo, hi, Arrays.toString(vs), w.p0)
                        .isEqualTo(Double.doubleToLongBits(want));
                assertThat(Double.doubleToLongBits(Aggregations.quantile(w.p0, Arrays.copyOfRange(vs, lo, hi))))
                        .isEqualTo(Double.doubleToLongBits(want));
                switch (r.nextInt(12)) {
                    case 0 -> { // a jump past the window: sorted anew
                        lo = Math.min(n, hi + r.nextInt(20));
                        hi = Math.min(n, lo + 1 + r.nextInt(width));
                    }
                    case 1 -> { } // the same window again, as for an @ time
                    case 2 -> hi = Math.min(n, hi + step); // a window that widens (a gap in the samples closing)
                    case 3 -> lo = Math.min(hi, lo + step); // one that narrows, to nothing at times
                    default -> {
                        lo = Math.min(n, lo + step);
                        hi = Math.min(n, Math.max(lo, hi + step));
                    }
                }
                if (lo == hi && lo < n) {
                    hi++;
                }
            }
            if (w.sortedWindow() != null) {
                rebuilds += w.sortedWindow().rebuilds;
            }
        }
        // Most windows were moved to, not sorted anew: the path under test was taken.
        assertThat(rebuilds).isLessThan(windows / 4);
    }

    @Test
    void aWindowThatStartsOrEndsEarlierThanTheLast_isSortedAnew() {
        double[] vs = {5, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        RangeFunctions.Window w = new RangeFunctions.Window();
        w.vs = vs;
        w.p0 = 0.5;
        // {lo, hi, whether sorted anew}: the first window, then moved to in place, or not.
        for (int[] c : new int[][] {{4, 10, 1}, {5, 10, 0}, {0, 4, 1}, {0, 10, 0}, {2, 3, 1}, {2, 9, 0}, {3, 8, 1}}) {
            int before = w.sortedWindow() == null ? 0 : w.sortedWindow().rebuilds;
            w.lo = c[0];
            w.hi = c[1];
            assertThat(RangeFunctions.quantile(w)).isEqualTo(reference(0.5, vs, c[0], c[1]));
            assertThat(w.sortedWindow().rebuilds - before).as("window [%d, %d)", c[0], c[1]).isEqualTo(c[2]);
        }
        // Another series' values in the same window object (not done by the evaluator, but not to be trusted).
        w.vs = new double[] {7, 7, 7, 8, 8, 8, 9, 9, 9, 10};
        w.lo = 1;
        w.hi = 9;
        assertThat(RangeFunctions.quantile(w)).isEqualTo(8.0);
    }
}
