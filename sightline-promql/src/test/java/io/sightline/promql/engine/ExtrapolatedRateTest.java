package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RangeFunctions#extrapolatedRate}, which keeps the value-independent part of a window's extrapolation
 * for the next window of the same shape, against Prometheus's computation written out in full: the same bits
 * for rate, increase and delta over seeded random series and windows, shapes repeated and not.
 */
class ExtrapolatedRateTest {

    /** Prometheus's extrapolatedRate (promql/functions.go), step by step. */
    private static double reference(long[] ts, double[] vs, int lo, int hi, long rangeStart, long rangeEnd,
            boolean isCounter, boolean isRate) {
        int n = hi - lo;
        double first = vs[lo];
        double result = vs[hi - 1] - first;
        if (isCounter) {
            double prev = first;
            for (int i = lo + 1; i < hi; i++) {
                if (vs[i] < prev) {
                    result += prev;
                }
                prev = vs[i];
            }
        }
        double durationToStart = (ts[lo] - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - ts[hi - 1]) / 1000.0;
        double sampledInterval = (ts[hi - 1] - ts[lo]) / 1000.0;
        double averageDurationBetweenSamples = sampledInterval / (n - 1);
        double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
        if (durationToStart >= extrapolationThreshold) {
            durationToStart = averageDurationBetweenSamples / 2;
        }
        if (isCounter && result > 0 && first >= 0) {
            double durationToZero = sampledInterval * (first / result);
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        if (durationToEnd >= extrapolationThreshold) {
            durationToEnd = averageDurationBetweenSamples / 2;
        }
        double factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate) {
            factor /= (rangeEnd - rangeStart) / 1000.0;
        }
        return result * factor;
    }

    @Test
    void sameBitsAsPrometheus_seededRandom() {
        Random rnd = new Random(4242);
        int zeroExtrapolated = 0;
        for (int round = 0; round < 3_000; round++) {
            int n = 2 + rnd.nextInt(300);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long interval = 1_000L * (1 + rnd.nextInt(30));
            long t = 1_700_000_000_000L + rnd.nextInt(100_000);
            boolean jitter = rnd.nextBoolean();
            double v = switch (rnd.nextInt(4)) {
                case 0 -> 0; // counters that start at zero extrapolate towards it
                case 1 -> rnd.nextDouble() * 5;
                default -> rnd.nextDouble() * 1e6;
            };
            for (int i = 0; i < n; i++) {
                ts[i] = t;
                t += interval + (jitter ? rnd.nextInt(41) - 20 : 0);
                vs[i] = v;
                v = switch (rnd.nextInt(20)) {
                    case 0 -> rnd.nextDouble() * 3; // a reset
                    case 1 -> v - rnd.nextDouble(); // a gauge moving down
                    case 2 -> Double.NaN;
                    default -> v + rnd.nextDouble() * 10;
                };
                if (Double.isNaN(v)) {
                    v = rnd.nextDouble();
                }
            }
            boolean isCounter = rnd.nextInt(3) != 0;
            boolean isRate = isCounter && rnd.nextBoolean();
            long range = interval * (2 + rnd.nextInt(20)) + (rnd.nextBoolean() ? 0 : rnd.nextInt(5_000));
            long step = rnd.nextBoolean() ? interval * (1 + rnd.nextInt(4)) : 1 + rnd.nextInt(100_000);
            RangeFunctions.Window w = new RangeFunctions.Window();
            w.ts = ts;
            w.vs = vs;
            if (rnd.nextBoolean()) {
                w.resets = RangeFunctions.resets(vs, n);
            }
            int lo = 0;
            int hi = 0;
            for (long end = ts[0] + rnd.nextInt(1_000); end <= ts[n - 1] + range; end += step) {
                long start = end - range;
                while (lo < n && ts[lo] <= start) {
                    lo++;
                }
                hi = Math.max(hi, lo);
                while (hi < n && ts[hi] <= end) {
                    hi++;
                }
                if (hi - lo < 2) {
                    continue;
                }
                w.lo = lo;
                w.hi = hi;
                w.rangeStart = start;
                w.rangeEnd = end;
                double want = reference(ts, vs, lo, hi, start, end, isCounter, isRate);
                double got = RangeFunctions.extrapolatedRate(w, isCounter, isRate);
                assertThat(Double.doubleToRawLongBits(got))
                        .as("round %d window [%d, %d) of %d: %s vs %s", round, lo, hi, n, got, want)
                        .isEqualTo(Double.doubleToRawLongBits(want));
                if (isCounter && vs[lo] == 0 && got > 0) {
                    zeroExtrapolated++;
                }
            }
        }
        assertThat(zeroExtrapolated).as("windows that extrapolate to zero").isGreaterThan(100);
    }
}
