package io.sightline.tsdb.rollup;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;

/**
 * A counter's rollups as {@code rate} and {@code increase} should see them: each window's last value,
 * adjusted for resets so that the series only grows. Where a window's last value is below the previous
 * window's, the counter was reset: if the window's maximum is above the previous last value, the
 * counter first climbed to that maximum (then restarted from zero), otherwise it restarted at the
 * window's start; either way what it had counted before the reset is carried as an offset added to
 * every later value. The increase between two windows is then what the raw samples show: the climb to
 * the maximum plus the count after the reset, where the last values alone would give only the latter.
 * (A reset after which the counter climbed above its old value still goes unseen, as in the raw samples
 * when no sample falls before it.) Values are those of a counter that was never reset: right for
 * differences, not for reading the counter itself. Stale markers pass through.
 */
public final class CounterIterator implements SampleIterator {
    private final SampleIterator last;
    private final SampleIterator max;
    private boolean maxDone;
    private boolean started;
    private boolean done;
    private double prevLast = Double.NaN;
    private double offset;
    private long t;
    private double v;

    /** Both over the same windows (the maxima lack the windows that held only stale markers). */
    public CounterIterator(SampleIterator last, SampleIterator max) {
        this.last = last;
        this.max = max;
    }

    @Override
    public boolean next() {
        if (done) {
            return false;
        }
        started = true;
        if (!last.next()) {
            done = true;
            return false;
        }
        t = last.timestamp();
        double lv = last.value();
        if (StaleNaN.is(lv) || Double.isNaN(lv)) {
            v = lv;
            return true;
        }
        if (lv < prevLast) {
            double peak = Double.NaN;
            if (!maxDone) {
                boolean at = max.seek(t);
                maxDone = !at;
                if (at && max.timestamp() == t) {
                    peak = max.value();
                }
            }
            offset += peak > prevLast ? peak : prevLast;
        }
        prevLast = lv;
        v = lv + offset;
        return true;
    }

    @Override
    public boolean seek(long target) {
        if (done) {
            return false;
        }
        if (started && t >= target) {
            return true;
        }
        while (next()) {
            if (t >= target) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long timestamp() {
        return t;
    }

    @Override
    public double value() {
        return v;
    }
}
