package io.sightline.promql.engine;

import java.util.Arrays;

/**
 * The functions of a range vector, computed on one window of one series: samples
 * {@code ts[lo..hi)}, {@code vs[lo..hi)} for a window {@code (rangeStart, rangeEnd]} evaluated at
 * step time {@code t}. Each returns NaN-boxed "no value" as {@link #NONE}.
 */
final class RangeFunctions {

    /** Returned when a window yields no output sample. Not a float value: compared by identity of bits. */
    static final double NONE = Double.longBitsToDouble(0x7ff8dead0000beefL);

    static boolean isNone(double v) {
        return Double.doubleToRawLongBits(v) == 0x7ff8dead0000beefL;
    }

    private RangeFunctions() {}

    /** A window and the scalar parameters of the call at this step. */
    static final class Window {
        long[] ts;
        double[] vs;
        int lo;
        int hi;
        long rangeStart;
        long rangeEnd;
        long t;
        double p0;
        double p1;
        /**
         * For counters, optionally: {@code resets[i]} = how many samples at or before {@code i} are
         * below the one before them, over the whole series, so that a window without a reset skips the
         * search for one. Null when not computed.
         */
        int[] resets;
        /**
         * Null, or the samples' start times (ms, 0 unknown) parallel to {@link #ts}: then rate, increase, irate
         * and resets also see the resets they mark, and a rate may begin at its first sample's start.
         */
        long[] st;
        /** Set when a window of {@link #st} had a start time before the previous sample that is not its start. */
        boolean overlap;
        /** The last window shape's extrapolation, reused by the next window of the same shape. */
        private final Extrapolation extrapolation = new Extrapolation();
        /** The last window's values in order, kept for the next one's quantile (null until one is asked for). */
        private SortedWindow sorted;
        /** The x side of the last window's regression, kept for the next one (null until one is asked for). */
        private RegressionX regressionX;

        int size() {
            return hi - lo;
        }

        /**
         * Moves the window to the samples of {@code ts[0, n)} in {@code (rangeStart, rangeEnd]}. Its ends only move
         * forward, from where they are (for the steps of a range query, in order), unless {@code restart}: then
         * from the first sample (an {@code @} time, the same window for every step).
         */
        void slide(int n, long rangeStart, long rangeEnd, boolean restart) {
            long ends = RangeFunctions.slide(ts, n, restart ? 0 : lo, restart ? 0 : hi, rangeStart, rangeEnd);
            lo = (int) (ends >>> 32);
            hi = (int) ends;
            this.rangeStart = rangeStart;
            this.rangeEnd = rangeEnd;
        }

        /** The last window shape's extrapolation, kept for the next window of the same shape. */
        Extrapolation extrapolation() {
            return extrapolation;
        }

        /** What {@link #quantile} keeps of the last window's values, or null before its first call. */
        SortedWindow sortedWindow() {
            return sorted;
        }

        /** What {@link #linearRegression} keeps of the last window's x values, created at the first call. */
        RegressionX regressionX() {
            if (regressionX == null) {
                regressionX = new RegressionX();
            }
            return regressionX;
        }
    }

    /**
     * A window {@code [lo, hi)} of {@code ts[0, n)} moved forward to the samples in {@code (rangeStart, rangeEnd]}:
     * its new ends, as {@code lo << 32 | hi}. For {@link Window#slide} and loops that keep the ends in local
     * variables.
     */
    static long slide(long[] ts, int n, int lo, int hi, long rangeStart, long rangeEnd) {
        while (lo < n && ts[lo] <= rangeStart) {
            lo++;
        }
        if (hi < lo) {
            hi = lo;
        }
        while (hi < n && ts[hi] <= rangeEnd) {
            hi++;
        }
        return (long) lo << 32 | hi;
    }

    /** {@link Window#resets} for a series' first {@code n} values. */
    static int[] resets(double[] vs, int n) {
        return resets(vs, n, new int[n]);
    }

    /** Each query thread's array for {@link #resets}: a 24 h rate over thousands of series would allocate one each. */
    private static final ThreadLocal<int[]> RESETS = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * {@link #resets(double[], int)} into this thread's reused array (at least {@code n} long), valid until its next
     * call on this thread: for a series' windows evaluated on the thread before it takes the next series.
     */
    static int[] threadResets(double[] vs, int n) {
        if (n > KEPT_RESETS) {
            return resets(vs, n); // a long series: not kept, so that no thread holds a large array for good
        }
        int[] out = RESETS.get();
        if (out.length < n) {
            out = new int[Math.min(KEPT_RESETS, Math.max(n, out.length * 2))];
            RESETS.set(out);
        }
        return resets(vs, n, out);
    }

    /** The longest array a thread keeps for {@link #threadResets} (1 MB): 45 days of samples at 15 s. */
    private static final int KEPT_RESETS = 1 << 18;

    private static int[] resets(double[] vs, int n, int[] out) {
        if (n > 0) {
            out[0] = 0; // a reused array
        }
        int c = 0;
        for (int i = 1; i < n; i++) {
            if (vs[i] < vs[i - 1]) {
                c++;
            }
            out[i] = c;
        }
        return out;
    }

    interface Fn {
        double apply(Window w);
    }

    /**
     * Prometheus's {@code extrapolatedRate}: the same operations in the same order, so the same bits. The part of
     * the extrapolation that depends only on the window's shape (where its first and last samples sit, how many
     * there are) is kept in the window and reused while the shape repeats, as it does step after step for
     * regular scrapes; only windows of a new shape, and counters that may extrapolate to zero, divide.
     */
    static double extrapolatedRate(Window w, boolean isCounter, boolean isRate) {
        if (w.st != null && isCounter) {
            return extrapolatedRateWithStarts(w, isRate);
        }
        if (w.size() < 2) {
            return NONE;
        }
        return extrapolatedRate(w.ts, w.vs, w.lo, w.hi, w.rangeStart, w.rangeEnd, w.resets, w.extrapolation,
                isCounter, isRate);
    }

    /**
     * {@link #extrapolatedRate(Window, boolean, boolean)} of the samples {@code [lo, hi)} (at least two) in the range
     * {@code (rangeStart, rangeEnd]}, with the window's reset counts (or null) and its kept extrapolation {@code e}.
     * For loops that slide the window themselves, in local variables.
     */
    static double extrapolatedRate(long[] ts, double[] vs, int lo, int hi, long rangeStart, long rangeEnd,
            int[] resets, Extrapolation e, boolean isCounter, boolean isRate) {
        int n = hi - lo;
        double first = vs[lo];
        double last = vs[hi - 1];
        double result = last - first;
        if (isCounter && (resets == null || resets[hi - 1] != resets[lo])) {
            // The same additions in the same order as Prometheus, where there is a reset at all.
            double prev = first;
            for (int i = lo + 1; i < hi; i++) {
                double cur = vs[i];
                if (cur < prev) {
                    result += prev;
                }
                prev = cur;
            }
        }
        long firstT = ts[lo];
        long lastT = ts[hi - 1];
        // Relative to the range, windows of a range query repeat: compare offsets, not times.
        if (!e.valid || e.n != n || e.isRate != isRate || e.toStartMs != firstT - rangeStart
                || e.sampledMs != lastT - firstT || e.rangeMs != rangeEnd - rangeStart) {
            e.compute(firstT - rangeStart, lastT - firstT, rangeEnd - rangeStart, n, isRate);
        }
        if (isCounter && result > 0 && first >= 0 && !(first > result * e.startRatio * (1 + 1e-9))) {
            // Maybe closer to the start than the first sample (otherwise first / result is well above
            // durationToStart / sampledInterval): Prometheus's test, exactly.
            double durationToZero = e.sampledInterval * (first / result);
            if (durationToZero < e.durationToStart) {
                double factor = (e.sampledInterval + durationToZero + e.durationToEnd) / e.sampledInterval;
                if (isRate) {
                    factor /= (rangeEnd - rangeStart) / 1000.0;
                }
                return result * factor;
            }
        }
        return result * e.factor;
    }

    /**
     * Prometheus's {@code isStartTimestampReset}: whether the current sample's start time says its counter restarted
     * after the previous sample. Unknown (0), invalid (after the sample) or OTel's "unknown start" (equal to the
     * sample's time) start times say nothing; one that points at the previous sample is a delta's reset unless the
     * previous start time was unknown (a cumulative series of unknown start) or invalid.
     */
    static boolean startReset(long prevSt, long prevT, long curSt, long curT) {
        if (curSt == 0 || curSt >= curT || curSt < prevT) {
            return false;
        }
        if (curSt > prevT) {
            return true;
        }
        return prevSt <= prevT && prevSt != 0 && prevSt != prevT;
    }

    /** A start time before the previous sample that is not the previous start: samples that overlap in time. */
    static boolean startOverlap(long prevSt, long prevT, long curSt) {
        return curSt != 0 && curSt < prevT && curSt != prevSt;
    }

    /**
     * {@link #extrapolatedRate} of a counter whose samples have start times, as Prometheus computes it then: resets
     * also where a start time says so, and when the first sample's start time lies inside the range, the counter is
     * taken to be 0 there instead of extrapolated to the range's start (which also lets one sample make a rate).
     */
    static double extrapolatedRateWithStarts(Window w, boolean isRate) {
        int lo = w.lo;
        int hi = w.hi;
        int n = hi - lo;
        if (n < 1) {
            return NONE;
        }
        long[] ts = w.ts;
        double[] vs = w.vs;
        long[] st = w.st;
        double result = vs[hi - 1] - vs[lo];
        for (int i = lo + 1; i < hi; i++) {
            if (!w.overlap && startOverlap(st[i - 1], ts[i - 1], st[i])) {
                w.overlap = true;
            }
            if (vs[i] < vs[i - 1] || startReset(st[i - 1], ts[i - 1], st[i], ts[i])) {
                result += vs[i - 1];
            }
        }
        long firstT = ts[lo];
        long lastT = ts[hi - 1];
        double durationToStart = (firstT - w.rangeStart) / 1000.0;
        double durationToEnd = (w.rangeEnd - lastT) / 1000.0;
        double sampledInterval = (lastT - firstT) / 1000.0;
        double averageDurationBetweenSamples = n > 1 ? sampledInterval / (n - 1) : 0;
        double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
        long firstSt = st[lo];
        if (firstSt != 0 && firstSt > w.rangeStart && firstSt < firstT) {
            durationToStart = 0;
            sampledInterval = (lastT - firstSt) / 1000.0;
            result += vs[lo];
        } else if (n == 1) {
            return NONE;
        } else {
            if (durationToStart >= extrapolationThreshold) {
                durationToStart = averageDurationBetweenSamples / 2;
            }
            double durationToZero = durationToStart;
            if (result > 0 && vs[lo] >= 0) {
                durationToZero = sampledInterval * (vs[lo] / result);
            }
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        if (durationToEnd >= extrapolationThreshold) {
            durationToEnd = averageDurationBetweenSamples / 2;
        }
        double factor = 1.0;
        if (sampledInterval != 0) {
            factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        }
        if (isRate) {
            factor /= (w.rangeEnd - w.rangeStart) / 1000.0;
        }
        return result * factor;
    }

    /** The value-independent part of one window shape's extrapolation (see {@link #extrapolatedRate}). */
    static final class Extrapolation {
        /** The shape: milliseconds from the range's start to the first sample, first to last sample, range. */
        long toStartMs;
        long sampledMs;
        long rangeMs;
        int n;
        boolean isRate;
        boolean valid;
        /** Seconds from the range's start to the first sample, or half the average interval when that is further. */
        double durationToStart;
        /** Likewise from the last sample to the range's end. */
        double durationToEnd;
        double sampledInterval;
        /** {@code durationToStart / sampledInterval}: a bound for the extrapolation to zero's test. */
        double startRatio;
        /** The factor without extrapolation to zero. */
        double factor;

        void compute(long toStartMs, long sampledMs, long rangeMs, int n, boolean isRate) {
            this.toStartMs = toStartMs;
            this.sampledMs = sampledMs;
            this.rangeMs = rangeMs;
            this.n = n;
            this.isRate = isRate;
            this.valid = true;
            double toStart = toStartMs / 1000.0;
            double toEnd = (rangeMs - toStartMs - sampledMs) / 1000.0;
            double sampled = sampledMs / 1000.0;
            double averageDurationBetweenSamples = sampled / (n - 1);
            double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
            if (toStart >= extrapolationThreshold) {
                toStart = averageDurationBetweenSamples / 2;
            }
            if (toEnd >= extrapolationThreshold) {
                toEnd = averageDurationBetweenSamples / 2;
            }
            double f = (sampled + toStart + toEnd) / sampled;
            if (isRate) {
                f /= rangeMs / 1000.0;
            }
            durationToStart = toStart;
            durationToEnd = toEnd;
            sampledInterval = sampled;
            startRatio = toStart / sampled;
            factor = f;
        }
    }

    static double instantValue(Window w, boolean isRate) {
        if (w.size() < 2) {
            return NONE;
        }
        int i = w.hi - 1;
        double last = w.vs[i];
        double prev = w.vs[i - 1];
        double result;
        if (isRate && (last < prev || w.st != null && startReset(w.st[i - 1], w.ts[i - 1], w.st[i], w.ts[i]))) {
            result = last;
        } else {
            result = last - prev;
        }
        long interval = w.ts[i] - w.ts[i - 1];
        if (interval == 0) {
            return NONE;
        }
        if (isRate) {
            result /= interval / 1000.0;
        }
        return result;
    }

    /** Least-squares slope and intercept of the window, x in seconds relative to {@code interceptTime}. */
    static double[] linearRegression(Window w, long interceptTime) {
        // Prometheus's compensated sums with the compensation's reset on an infinite sum left out of the loop: a sum
        // that was ever infinite ends infinite or NaN, so sums that end finite never needed it and are the same bits.
        // Then the loop runs on locals without that test, 20-25 % faster (predict_linear over 24 h); a window whose
        // sums do not all end finite is summed again the careful way. The compensations add each sum's exact rounding
        // error without a branch ({@link KahanSum#roundingError}); HotSpot compiled Prometheus's two branches to code
        // that ran at 4.2 or at 8.2 ns a sample, by the compilation's luck.
        RegressionX rx = w.regressionX();
        if (rx.sameOffsets(w.ts, w.lo, w.hi, interceptTime)) {
            return linearRegressionKeptX(w, interceptTime, rx);
        }
        long[] ts = w.ts;
        double[] vs = w.vs;
        int n = w.size();
        long[] offsets = rx.offsets(n);
        double[] xs = rx.xs;
        double sx = 0;
        double cx = 0;
        double sy = 0;
        double cy = 0;
        double sxy = 0;
        double cxy = 0;
        double sx2 = 0;
        double cx2 = 0;
        double initY = vs[w.lo];
        boolean constY = true;
        // No sample after the intercept time (predict_linear): every x is at most 0 and none is larger in magnitude
        // than the one before, so neither is x², and after the first addend each sum of them is at least as large in
        // magnitude as the next one. Then Prometheus's compensation takes its first branch, fewer operations; for the
        // first addend (a sum of 0) it takes the other, but both give +0 there, the sum being the addend exactly.
        boolean falling = ts[w.hi - 1] <= interceptTime;
        for (int i = w.lo, k = 0; i < w.hi; i++, k++) {
            double y = vs[i];
            constY &= y == initY; // false at the first sample only for a NaN, whose sums end NaN
            long offset = ts[i] - interceptTime;
            double x = offset / 1e3;
            offsets[k] = offset;
            xs[k] = x;
            double xy = x * y;
            double xx = x * x;
            double t = sx + x;
            cx += falling ? (sx - t) + x : KahanSum.roundingError(sx, x, t);
            sx = t;
            t = sy + y;
            cy += KahanSum.roundingError(sy, y, t);
            sy = t;
            t = sxy + xy;
            cxy += KahanSum.roundingError(sxy, xy, t);
            sxy = t;
            t = sx2 + xx;
            cx2 += falling ? (sx2 - t) + xx : KahanSum.roundingError(sx2, xx, t);
            sx2 = t;
        }
        rx.keep(n, sx, cx, sx2, cx2);
        return line(w, interceptTime, constY, initY, sx, cx, sy, cy, sxy, cxy, sx2, cx2);
    }

    /**
     * {@link #linearRegression} for a window whose samples lie at the kept window's offsets from the intercept time:
     * the same x values in the same order, so the sums of x and x² are the kept ones, bit for bit, and only those of
     * y and xy are summed.
     */
    private static double[] linearRegressionKeptX(Window w, long interceptTime, RegressionX rx) {
        double[] vs = w.vs;
        double[] xs = rx.xs;
        double sy = 0;
        double cy = 0;
        double sxy = 0;
        double cxy = 0;
        double initY = vs[w.lo];
        boolean constY = true;
        for (int i = w.lo, k = 0; i < w.hi; i++, k++) {
            double y = vs[i];
            constY &= y == initY;
            double xy = xs[k] * y;
            double t = sy + y;
            cy += KahanSum.roundingError(sy, y, t);
            sy = t;
            t = sxy + xy;
            cxy += KahanSum.roundingError(sxy, xy, t);
            sxy = t;
        }
        rx.reused++;
        return line(w, interceptTime, constY, initY, rx.sx, rx.cx, sy, cy, sxy, cxy, rx.sx2, rx.cx2);
    }

    /**
     * The regression line from the fast loops' sums, or from the careful sums where a sum or a compensation does not
     * end finite ({@link KahanSum#roundingError}).
     */
    private static double[] line(Window w, long interceptTime, boolean constY, double initY, double sx, double cx,
            double sy, double cy, double sxy, double cxy, double sx2, double cx2) {
        if (!(Double.isFinite(sx) && Double.isFinite(sy) && Double.isFinite(sxy) && Double.isFinite(sx2)
                && Double.isFinite(cx) && Double.isFinite(cy) && Double.isFinite(cxy) && Double.isFinite(cx2))) {
            return linearRegressionCareful(w, interceptTime);
        }
        if (constY) {
            return new double[] {0, initY};
        }
        return regressionLine(w.size(), sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    }

    /**
     * The x side of a window's regression, kept for the next window: each sample's offset from the intercept time, its
     * x and the compensated sums of x and x². With regular scrapes and a step that is a multiple of their interval,
     * every window of a range query has its samples at the same offsets from its step time (predict_linear) and from
     * its first sample (deriv), so half the sums are done once per series instead of once per step.
     */
    static final class RegressionX {
        private long[] offsets = new long[0];
        private double[] xs = new double[0];
        /** How many offsets are kept; -1 for none. */
        private int size = -1;
        private double sx;
        private double cx;
        private double sx2;
        private double cx2;
        /** How many windows took the kept sums (for tests). */
        int reused;

        /** Whether the samples of {@code ts[lo, hi)} lie at the kept offsets from {@code interceptTime}. */
        boolean sameOffsets(long[] ts, int lo, int hi, long interceptTime) {
            if (size != hi - lo) {
                return false;
            }
            for (int i = lo, k = 0; i < hi; i++, k++) {
                if (ts[i] - interceptTime != offsets[k]) {
                    return false;
                }
            }
            return true;
        }

        /** The arrays to fill for a window of {@code n} samples; nothing is kept until {@link #keep}. */
        long[] offsets(int n) {
            size = -1;
            if (offsets.length < n) {
                offsets = new long[n];
                xs = new double[n];
            }
            return offsets;
        }

        void keep(int n, double sx, double cx, double sx2, double cx2) {
            this.size = n;
            this.sx = sx;
            this.cx = cx;
            this.sx2 = sx2;
            this.cx2 = cx2;
        }
    }

    /** {@link #linearRegression} with every step of Prometheus's sums, for windows with infinite or NaN sums. */
    static double[] linearRegressionCareful(Window w, long interceptTime) {
        double n = 0;
        KahanSum sumX = new KahanSum();
        KahanSum sumY = new KahanSum();
        KahanSum sumXY = new KahanSum();
        KahanSum sumX2 = new KahanSum();
        double initY = w.vs[w.lo];
        boolean constY = true;
        for (int i = w.lo; i < w.hi; i++) {
            double y = w.vs[i];
            if (constY && i > w.lo && y != initY) {
                constY = false;
            }
            n += 1;
            double x = (w.ts[i] - interceptTime) / 1e3;
            sumX.add(x);
            sumY.add(y);
            sumXY.add(x * y);
            sumX2.add(x * x);
        }
        if (constY) {
            if (Double.isInfinite(initY)) {
                return new double[] {Double.NaN, Double.NaN};
            }
            return new double[] {0, initY};
        }
        return regressionLine(n, sumX.value(), sumY.value(), sumXY.value(), sumX2.value());
    }

    /** Slope and intercept of the least-squares line from the sums over {@code n} points. */
    private static double[] regressionLine(double n, double sx, double sy, double sxy, double sx2) {
        double covXY = sxy - sx * sy / n;
        double varX = sx2 - sx * sx / n;
        double slope = covXY / varX;
        double intercept = sy / n - slope * sx / n;
        return new double[] {slope, intercept};
    }

    static double deriv(Window w) {
        if (w.size() < 2) {
            return NONE;
        }
        return linearRegression(w, w.ts[w.lo])[0];
    }

    static double predictLinear(Window w) {
        if (w.size() < 2) {
            return NONE;
        }
        double[] r = linearRegression(w, w.t);
        return r[0] * w.p0 + r[1];
    }

    static double changes(Window w) {
        int changes = 0;
        for (int i = w.lo + 1; i < w.hi; i++) {
            double cur = w.vs[i];
            double prev = w.vs[i - 1];
            if (cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))) {
                changes++;
            }
        }
        return changes;
    }

    static double resets(Window w) {
        int resets = 0;
        long[] st = w.st;
        for (int i = w.lo + 1; i < w.hi; i++) {
            if (w.vs[i] < w.vs[i - 1] || st != null && startReset(st[i - 1], w.ts[i - 1], st[i], w.ts[i])) {
                resets++;
            }
        }
        return resets;
    }

    static double sum(Window w) {
        return compensatedSum(w, false);
    }

    static double avg(Window w) {
        return compensatedSum(w, true);
    }

    /**
     * sum_over_time, or avg_over_time if {@code mean}: Prometheus's compensated sum, in a loop on locals that adds each
     * rounding error without a branch ({@link KahanSum#roundingError}); where a sum or its compensation does not end
     * finite (an infinite or NaN value, an overflow, where Prometheus's average turns incremental), the window is
     * summed again with Prometheus's steps. Finite sums are the same bits either way.
     */
    private static double compensatedSum(Window w, boolean mean) {
        double[] vs = w.vs;
        double sum = 0;
        double c = 0;
        for (int i = w.lo; i < w.hi; i++) {
            double v = vs[i];
            double t = sum + v;
            c += KahanSum.roundingError(sum, v, t);
            sum = t;
        }
        if (!(Double.isFinite(sum) && Double.isFinite(c))) {
            if (mean) {
                return Aggregations.average(vs, w.lo, w.hi);
            }
            KahanSum careful = new KahanSum();
            for (int i = w.lo; i < w.hi; i++) {
                careful.add(vs[i]);
            }
            return careful.value();
        }
        int n = w.size();
        return mean ? sum / n + c / n : sum + c;
    }

    static double min(Window w) {
        double min = w.vs[w.lo];
        for (int i = w.lo + 1; i < w.hi; i++) {
            double v = w.vs[i];
            if (v < min || Double.isNaN(min)) {
                min = v;
            }
        }
        return min;
    }

    static double max(Window w) {
        double max = w.vs[w.lo];
        for (int i = w.lo + 1; i < w.hi; i++) {
            double v = w.vs[i];
            if (v > max || Double.isNaN(max)) {
                max = v;
            }
        }
        return max;
    }

    static double tsOfMin(Window w) {
        double min = w.vs[w.lo];
        long at = w.ts[w.lo];
        for (int i = w.lo + 1; i < w.hi; i++) {
            double v = w.vs[i];
            if (v <= min || Double.isNaN(min)) {
                min = v;
                at = w.ts[i];
            }
        }
        return at / 1000.0;
    }

    static double tsOfMax(Window w) {
        double max = w.vs[w.lo];
        long at = w.ts[w.lo];
        for (int i = w.lo + 1; i < w.hi; i++) {
            double v = w.vs[i];
            if (v >= max || Double.isNaN(max)) {
                max = v;
                at = w.ts[i];
            }
        }
        return at / 1000.0;
    }

    static double variance(Window w) {
        double count = 0;
        double mean = 0;
        double cMean = 0;
        double aux = 0;
        double cAux = 0;
        for (int i = w.lo; i < w.hi; i++) {
            double f = w.vs[i];
            count++;
            double delta = f - (mean + cMean);
            double mInc = delta / count;
            double mNext = mean + mInc;
            cMean = KahanSum.compensation(mean, mInc, mNext, cMean);
            mean = mNext;
            double aInc = delta * (f - (mean + cMean));
            double aNext = aux + aInc;
            cAux = KahanSum.compensation(aux, aInc, aNext, cAux);
            aux = aNext;
        }
        return (aux + cAux) / count;
    }

    /**
     * {@code quantile_over_time}: {@link Aggregations#quantile} of the window's values, which sorts a copy of them.
     * The steps of a range query move a window forward by a few samples, so the window's values are kept in order
     * from one step to the next ({@link SortedWindow}): the samples that left are taken out and those that came in
     * put in, instead of sorting them all again. The values at each rank, and so the result, are the same bits.
     */
    static double quantile(Window w) {
        double q = w.p0;
        if (w.size() == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (w.sorted == null) {
            w.sorted = new SortedWindow();
        }
        w.sorted.moveTo(w.vs, w.lo, w.hi);
        return Aggregations.interpolate(q, w.size(), w.sorted::at);
    }

    /**
     * The values of a window {@code vs[lo, hi)} in Go's {@code sort.Float64s} order, as {@link
     * Aggregations#sortNaNFirst} leaves them: NaNs first (counted, not stored), then the others in {@link
     * Double#compare}'s order ({@code -0} before {@code 0}), which is {@link Arrays#sort}'s.
     */
    static final class SortedWindow {
        private double[] values = new double[16];
        private int size;
        private int nans;
        private double[] of;
        private int lo;
        private int hi;
        /** How many windows were sorted anew rather than moved to (for tests). */
        int rebuilds;

        /**
         * Holds the values of {@code vs[lo, hi)}: from the previous window of the same array, if this one starts
         * and ends no earlier, overlaps it, and differs from it by at most 32 samples per doubling of its size
         * (each costs a binary search and a copy of half the values on average; sorting anew costs some n log n
         * comparisons, so the break-even count grows with the logarithm), by taking out and putting in the
         * difference; otherwise sorted anew.
         */
        void moveTo(double[] vs, int newLo, int newHi) {
            int moved = (newLo - lo) + (newHi - hi);
            int limit = 32 * (32 - Integer.numberOfLeadingZeros(newHi - newLo));
            boolean incremental = of == vs && newLo >= lo && newHi >= hi && newLo < hi && moved <= limit;
            if (incremental) {
                for (int i = lo; i < newLo; i++) {
                    remove(vs[i]);
                }
                for (int i = hi; i < newHi; i++) {
                    insert(vs[i]);
                }
            } else {
                rebuild(vs, newLo, newHi);
                rebuilds++;
            }
            of = vs;
            lo = newLo;
            hi = newHi;
        }

        /** The value at {@code rank} (0-based) in Go's order. */
        double at(int rank) {
            return rank < nans ? Double.NaN : values[rank - nans];
        }

        private void rebuild(double[] vs, int from, int to) {
            int n = to - from;
            if (values.length < n) {
                values = new double[Math.max(n, values.length * 2)];
            }
            int k = 0;
            for (int i = from; i < to; i++) {
                double v = vs[i];
                if (v == v) {
                    values[k++] = v;
                }
            }
            size = k;
            nans = n - k;
            Arrays.sort(values, 0, k);
        }

        private void remove(double v) {
            if (v != v) {
                nans--;
                return;
            }
            int at = Arrays.binarySearch(values, 0, size, v); // Double.compare's order, so -0 and 0 apart
            if (at < 0) {
                throw new IllegalStateException("value " + v + " left a window that did not hold it");
            }
            System.arraycopy(values, at + 1, values, at, size - at - 1);
            size--;
        }

        private void insert(double v) {
            if (v != v) {
                nans++;
                return;
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            int at = Arrays.binarySearch(values, 0, size, v);
            if (at < 0) {
                at = -at - 1;
            }
            System.arraycopy(values, at, values, at + 1, size - at);
            values[at] = v;
            size++;
        }
    }

    static double mad(Window w) {
        double[] values = Arrays.copyOfRange(w.vs, w.lo, w.hi);
        for (double v : values) {
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
        }
        double median = Aggregations.quantile(0.5, values.clone());
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.abs(values[i] - median);
        }
        return Aggregations.quantile(0.5, values);
    }

    static double doubleExponentialSmoothing(Window w) {
        double sf = w.p0;
        double tf = w.p1;
        int n = w.size();
        if (n < 2) {
            return NONE;
        }
        double s0 = 0;
        double s1 = w.vs[w.lo];
        double b = w.vs[w.lo + 1] - w.vs[w.lo];
        for (int i = 1; i < n; i++) {
            double x = sf * w.vs[w.lo + i];
            b = i == 1 ? b : tf * (s1 - s0) + (1 - tf) * b;
            s0 = s1;
            s1 = x + (1 - sf) * (s0 + b);
        }
        return s1;
    }
}
