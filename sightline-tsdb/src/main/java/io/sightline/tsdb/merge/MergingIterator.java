package io.sightline.tsdb.merge;

import io.sightline.tsdb.SampleIterator;
import java.util.List;

/**
 * Samples of several iterators of one series in time order, one per timestamp: where sources share a
 * timestamp the earliest source in the list wins (blocks are listed oldest first, the head last).
 */
public final class MergingIterator implements SampleIterator {
    private final SampleIterator[] its;
    private final boolean[] live;
    private boolean started;
    private boolean exhausted;
    private long ts;
    private double value;
    /** The source of the current sample. */
    private int cur = -1;
    /**
     * The earliest timestamp among the other live sources. While the current source stays below it
     * (blocks and the head rarely overlap), {@link #next} reads that source alone.
     */
    private long bound = Long.MAX_VALUE;

    public MergingIterator(List<SampleIterator> parts) {
        this.its = parts.toArray(new SampleIterator[0]);
        this.live = new boolean[its.length];
    }

    private boolean pick() {
        int best = -1;
        long bestT = 0;
        long second = Long.MAX_VALUE;
        for (int i = 0; i < its.length; i++) {
            if (!live[i]) {
                continue;
            }
            long t = its[i].timestamp();
            if (best < 0 || t < bestT) {
                if (best >= 0) {
                    second = Math.min(second, bestT);
                }
                best = i;
                bestT = t;
            } else {
                second = Math.min(second, t);
            }
        }
        if (best < 0) {
            exhausted = true;
            return false;
        }
        cur = best;
        bound = second;
        ts = bestT;
        value = its[best].value();
        return true;
    }

    @Override
    public boolean next() {
        if (exhausted) {
            return false;
        }
        if (!started) {
            started = true;
            for (int i = 0; i < its.length; i++) {
                live[i] = its[i].next();
            }
            return pick();
        }
        if (ts < bound) {
            // No other source has a sample at ts: only the current one moves.
            SampleIterator it = its[cur];
            if (!it.next()) {
                live[cur] = false;
                return pick();
            }
            long t = it.timestamp();
            if (t < bound) {
                ts = t;
                value = it.value();
                return true;
            }
            return pick();
        }
        for (int i = 0; i < its.length; i++) {
            if (live[i] && its[i].timestamp() == ts) {
                live[i] = its[i].next();
            }
        }
        return pick();
    }

    @Override
    public boolean seek(long t) {
        if (exhausted) {
            return false;
        }
        if (started && ts >= t) {
            return true;
        }
        for (int i = 0; i < its.length; i++) {
            if (!started) {
                live[i] = its[i].seek(t);
            } else if (live[i] && its[i].timestamp() < t) {
                live[i] = its[i].seek(t);
            }
        }
        started = true;
        return pick();
    }

    @Override
    public long timestamp() {
        return ts;
    }

    @Override
    public double value() {
        return value;
    }
}
