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

    public MergingIterator(List<SampleIterator> parts) {
        this.its = parts.toArray(new SampleIterator[0]);
        this.live = new boolean[its.length];
    }

    private boolean pick() {
        int best = -1;
        for (int i = 0; i < its.length; i++) {
            if (live[i] && (best < 0 || its[i].timestamp() < its[best].timestamp())) {
                best = i;
            }
        }
        if (best < 0) {
            exhausted = true;
            return false;
        }
        ts = its[best].timestamp();
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
        } else {
            for (int i = 0; i < its.length; i++) {
                if (live[i] && its[i].timestamp() == ts) {
                    live[i] = its[i].next();
                }
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
