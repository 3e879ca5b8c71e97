package io.sightline.promql.engine;

import io.sightline.promql.ast.Expr;
import java.util.Set;

/**
 * Prometheus's experimental extended range selectors. {@code anchored} takes the window's starting
 * value from the last sample at or before the window start (looking back one lookback delta) and
 * does not extrapolate; {@code smoothed} also looks ahead and interpolates linearly to both window
 * edges. Only the functions where that is meaningful accept them.
 */
final class ExtendedRanges {

    private static final Set<String> ANCHORED = Set.of("changes", "delta", "increase", "rate", "resets");
    private static final Set<String> SMOOTHED = Set.of("delta", "increase", "rate");

    private ExtendedRanges() {}

    static void check(String function, Expr.RangeMode mode) {
        if (mode == Expr.RangeMode.ANCHORED && !ANCHORED.contains(function)) {
            throw QueryException.execution("anchored modifier can only be used with: changes, delta, increase, rate, "
                    + "resets - not with " + function);
        }
        if (mode == Expr.RangeMode.SMOOTHED && !SMOOTHED.contains(function)) {
            throw QueryException.execution("smoothed modifier can only be used with: delta, increase, rate - not with "
                    + function);
        }
    }

    /** The fetched window of a series: [lo, hi) indices of samples in (rangeStart - lookback, rangeEnd (+ lookback)]. */
    private static int[] window(EvalSeries s, Expr.RangeMode mode, long rangeStart, long rangeEnd, long lookbackMs) {
        int lo = s.ceil(rangeStart - lookbackMs + 1, 0);
        long upper = mode == Expr.RangeMode.SMOOTHED ? rangeEnd + lookbackMs : rangeEnd;
        int hi = s.ceil(upper + 1, lo);
        return new int[] {lo, hi};
    }

    static double apply(String function, Expr.RangeMode mode, EvalSeries s, long rangeStart, long rangeEnd,
            long lookbackMs) {
        int[] w = window(s, mode, rangeStart, rangeEnd, lookbackMs);
        int lo = w[0];
        int n = w[1] - w[0];
        if (n == 0) {
            return RangeFunctions.NONE;
        }
        return switch (function) {
            case "rate" -> extendedRate(s, lo, n, mode, rangeStart, rangeEnd, true, true);
            case "increase" -> extendedRate(s, lo, n, mode, rangeStart, rangeEnd, true, false);
            case "delta" -> extendedRate(s, lo, n, mode, rangeStart, rangeEnd, false, false);
            case "changes", "resets" -> changesOrResets(s, lo, n, rangeStart, function.equals("changes"));
            default -> throw new IllegalStateException("BUG: " + function + " with " + mode);
        };
    }

    /** Index (relative to lo) of the first sample in [0, n-1) with T > t, or n-1 when none. */
    private static int searchAfter(EvalSeries s, int lo, int n, long t) {
        for (int i = 0; i < n - 1; i++) {
            if (s.ts[lo + i] > t) {
                return i;
            }
        }
        return n - 1;
    }

    private static double interpolate(long t1, double y1, long t2, double y2, long t, boolean isCounter) {
        if (isCounter && y2 < y1) {
            y1 = 0;
        }
        return y1 + (y2 - y1) * (double) (t - t1) / (double) (t2 - t1);
    }

    private static double extendedRate(EvalSeries s, int lo, int n, Expr.RangeMode mode, long rangeStart,
            long rangeEnd, boolean isCounter, boolean isRate) {
        boolean smoothed = mode == Expr.RangeMode.SMOOTHED;
        long[] ts = s.ts;
        double[] vs = s.vs;
        int first = Math.max(0, searchAfter(s, lo, n, rangeStart) - 1);
        int last = n - 1;
        if (smoothed) {
            last = n - 1;
            for (int i = 0; i < n - 1; i++) {
                if (ts[lo + i] >= rangeEnd) {
                    last = i;
                    break;
                }
            }
        }
        if (ts[lo + last] <= rangeStart) {
            return RangeFunctions.NONE;
        }
        if (smoothed && ts[lo + first] > rangeEnd) {
            return RangeFunctions.NONE;
        }
        double left = smoothed && ts[lo + first] < rangeStart
                ? interpolate(ts[lo + first], vs[lo + first], ts[lo + first + 1], vs[lo + first + 1], rangeStart,
                        isCounter)
                : vs[lo + first];
        double right = smoothed && last > 0 && ts[lo + last] > rangeEnd
                ? interpolate(ts[lo + last - 1], vs[lo + last - 1], ts[lo + last], vs[lo + last], rangeEnd, isCounter)
                : vs[lo + last];
        double result = right - left;
        if (isCounter) {
            int from = first;
            int to = last;
            if (ts[lo + from] <= rangeStart) {
                from++;
            }
            if (ts[lo + to] >= rangeEnd) {
                to--;
            }
            double prev = left;
            for (int i = from; i <= to; i++) {
                double v = vs[lo + i];
                if (v < prev) {
                    result += prev;
                }
                prev = v;
            }
            if (right < prev) {
                result += prev;
            }
        }
        if (isRate) {
            result /= (rangeEnd - rangeStart) / 1000.0;
        }
        return result;
    }

    /** changes()/resets() counted from the last sample at or before the window start. */
    private static double changesOrResets(EvalSeries s, int lo, int n, long rangeStart, boolean changes) {
        int firstInside = -1;
        for (int i = 0; i < n; i++) {
            if (s.ts[lo + i] > rangeStart) {
                firstInside = i;
                break;
            }
        }
        if (firstInside < 0) {
            return RangeFunctions.NONE;
        }
        int start = Math.max(0, firstInside - 1);
        int count = 0;
        for (int i = start + 1; i < n; i++) {
            double cur = s.vs[lo + i];
            double prev = s.vs[lo + i - 1];
            if (changes) {
                if (cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))) {
                    count++;
                }
            } else if (cur < prev) {
                count++;
            }
        }
        return count;
    }

    /**
     * The points an extended range selector yields when returned directly (instant query of a range
     * vector): the window-start value, the samples inside, and the window-end value.
     */
    static EvalSeries boundaryPoints(EvalSeries s, Expr.RangeMode mode, long rangeStart, long rangeEnd,
            long lookbackMs) {
        int[] w = window(s, mode, rangeStart, rangeEnd, lookbackMs);
        int lo = w[0];
        int n = w[1] - w[0];
        if (n == 0) {
            return null;
        }
        boolean smoothed = mode == Expr.RangeMode.SMOOTHED;
        int first = Math.max(0, searchAfter(s, lo, n, rangeStart) - 1);
        int last = n - 1;
        if (smoothed) {
            for (int i = 0; i < n - 1; i++) {
                if (s.ts[lo + i] >= rangeEnd) {
                    last = i;
                    break;
                }
            }
        }
        if (s.ts[lo + last] <= rangeStart || smoothed && s.ts[lo + first] > rangeEnd) {
            return null;
        }
        long[] ts = s.ts;
        double[] vs = s.vs;
        double left = smoothed && ts[lo + first] < rangeStart
                ? interpolate(ts[lo + first], vs[lo + first], ts[lo + first + 1], vs[lo + first + 1], rangeStart, false)
                : vs[lo + first];
        double right = smoothed && last > 0 && ts[lo + last] > rangeEnd
                ? interpolate(ts[lo + last - 1], vs[lo + last - 1], ts[lo + last], vs[lo + last], rangeEnd, false)
                : vs[lo + last];
        EvalSeries out = new EvalSeries(s.labels, s.dropName, n + 2);
        out.add(rangeStart, left);
        for (int i = 0; i < n; i++) {
            long t = ts[lo + i];
            if (t > rangeStart && t < rangeEnd) {
                out.add(t, vs[lo + i]);
            }
        }
        out.add(rangeEnd, right);
        return out;
    }

    /** {@code foo smoothed} at one time: the sample there, else interpolated between neighbours, else carried forward. */
    static double smoothedValue(EvalSeries s, long ref, long lookbackMs) {
        int i = s.ceil(ref, 0);
        if (i < s.n && s.ts[i] == ref) {
            return s.vs[i];
        }
        boolean hasPrev = i > 0 && s.ts[i - 1] > ref - lookbackMs;
        boolean hasNext = i < s.n && s.ts[i] <= ref + lookbackMs;
        if (hasPrev && hasNext) {
            return interpolate(s.ts[i - 1], s.vs[i - 1], s.ts[i], s.vs[i], ref, false);
        }
        if (hasPrev) {
            return s.vs[i - 1];
        }
        return RangeFunctions.NONE;
    }
}
