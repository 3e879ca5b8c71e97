package io.sightline.promql.engine;

import io.sightline.common.Labels;
import java.util.Arrays;

/**
 * One series of an intermediate result: points at (a subset of) the evaluation steps, ascending.
 * {@code dropName} marks a series whose metric name is to be removed at the end of evaluation
 * (Prometheus 3's delayed name removal), so later operations can still see it.
 */
final class EvalSeries {

    Labels labels;
    boolean dropName;
    long[] ts;
    double[] vs;
    int n;
    /** For series read from storage: the rollup window width its samples summarise, 0 for raw samples. */
    long resolutionMs;
    /**
     * Null, or for a series that only says at which steps it has a point (for {@code count} and {@code group},
     * see {@link #presence}): bit {@code k} set for a point at step {@code k}; {@link #ts} and {@link #vs} are then
     * empty.
     */
    long[] present;
    /**
     * Null, or for a series read from storage with start timestamps (see {@code io.sightline.tsdb.StartTimes}):
     * each point's start time in milliseconds, 0 where unknown, parallel to {@link #ts}.
     */
    long[] st;
    /** For a buffer series reads reuse: the array {@link #st} was last read into, to fill again. */
    long[] stSpare;

    private static final long[] NO_TIMES = new long[0];
    private static final double[] NO_VALUES = new double[0];

    /** A series of {@code n} points without values, at the steps whose bits {@code present} sets. */
    static EvalSeries presence(Labels labels, long[] present, int n) {
        EvalSeries s = new EvalSeries(labels, false, NO_TIMES, NO_VALUES, n);
        s.present = present;
        return s;
    }

    EvalSeries(Labels labels, boolean dropName, int capacity) {
        this.labels = labels;
        this.dropName = dropName;
        this.ts = new long[Math.max(1, capacity)];
        this.vs = new double[Math.max(1, capacity)];
    }

    EvalSeries(Labels labels, boolean dropName, long[] ts, double[] vs, int n) {
        this.labels = labels;
        this.dropName = dropName;
        this.ts = ts;
        this.vs = vs;
        this.n = n;
    }

    /**
     * {@code spare} emptied for a new series, keeping its arrays, or a new series of {@code capacity} when there
     * is no spare or it has no point arrays (a presence series).
     */
    static EvalSeries reuse(EvalSeries spare, Labels labels, boolean dropName, int capacity) {
        if (spare == null || spare.ts.length == 0) {
            return new EvalSeries(labels, dropName, capacity);
        }
        spare.labels = labels;
        spare.dropName = dropName;
        spare.n = 0;
        spare.resolutionMs = 0;
        spare.present = null;
        spare.st = null;
        return spare;
    }

    void add(long t, double v) {
        if (n == ts.length) {
            int cap = ts.length * 2;
            ts = Arrays.copyOf(ts, cap);
            vs = Arrays.copyOf(vs, cap);
        }
        ts[n] = t;
        vs[n] = v;
        n++;
    }

    /**
     * Makes room for at least {@code min} more points (growing by doubling) and returns how many fit
     * after {@link #n} now.
     */
    int reserve(int min) {
        if (ts.length - n < min) {
            int cap = Math.max(ts.length * 2, n + min);
            ts = Arrays.copyOf(ts, cap);
            vs = Arrays.copyOf(vs, cap);
        }
        return ts.length - n;
    }

    /** Index of the first point with timestamp >= t, at or after {@code from}. */
    int ceil(long t, int from) {
        int lo = from;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
