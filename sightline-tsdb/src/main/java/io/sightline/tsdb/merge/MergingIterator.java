package io.sightline.tsdb.merge;

import io.sightline.tsdb.SampleIterator;
import java.util.List;

/**
 * Samples of several iterators of one series in time order, one per timestamp: where sources share a
 * timestamp the earliest source in the list wins (blocks are listed oldest first, the head last).
 */
public final class MergingIterator implements SampleIterator {
    private final SampleIterator[] its;
    private final List<SampleIterator> sources;
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
        this.sources = List.copyOf(parts);
        this.live = new boolean[its.length];
    }

    /** The iterators merged, as given (for reuse by the series they came from). */
    public List<SampleIterator> sources() {
        return sources;
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

    /**
     * While one source is alone below the others' earliest sample, reads it in bulk; what it read at or
     * past that bound is put back in front of it, to be merged one by one.
     */
    @Override
    public int nextBatch(long[] outT, double[] outV, int off, int max) {
        int k = 0;
        while (k < max) {
            if (started && !exhausted && ts < bound && unwrapped(cur)) {
                SampleIterator it = its[cur];
                int got = it.nextBatch(outT, outV, off + k, max - k);
                int ok = 0;
                while (ok < got && outT[off + k + ok] < bound) {
                    ok++;
                }
                if (ok < got) {
                    int last = off + k + ok - 1;
                    its[cur] = Prefixed.of(ok > 0 ? outT[last] : ts, ok > 0 ? outV[last] : value, outT, outV,
                            last + 1, got - ok, it);
                }
                if (ok > 0) {
                    ts = outT[off + k + ok - 1];
                    value = outV[off + k + ok - 1];
                    k += ok;
                }
                if (k == max) {
                    break;
                }
                // The source ran out, or its next sample reaches the bound: one step of the merge.
            }
            if (!next()) {
                break;
            }
            outT[off + k] = ts;
            outV[off + k] = value;
            k++;
        }
        return k;
    }

    /**
     * Whether source {@code i} may be read in bulk: not while samples put back are ahead of it (merged
     * one by one, so interleaved sources do not nest read-aheads); once they are served, the source
     * itself again.
     */
    private boolean unwrapped(int i) {
        if (its[i] instanceof Prefixed p) {
            if (p.i < p.t.length) {
                return false;
            }
            its[i] = p.rest;
        }
        return true;
    }

    /** Samples read ahead of a source, served again before it; positioned at the first of them. */
    private static final class Prefixed implements SampleIterator {
        private final long[] t;
        private final double[] v;
        private int i;
        private final SampleIterator rest;

        private Prefixed(long[] t, double[] v, SampleIterator rest) {
            this.t = t;
            this.v = v;
            this.rest = rest;
        }

        /** Positioned at (curT, curV), then the {@code n} samples at {@code from}, then {@code rest}. */
        static Prefixed of(long curT, double curV, long[] ts, double[] vs, int from, int n, SampleIterator rest) {
            long[] t = new long[n + 1];
            double[] v = new double[n + 1];
            t[0] = curT;
            v[0] = curV;
            System.arraycopy(ts, from, t, 1, n);
            System.arraycopy(vs, from, v, 1, n);
            return new Prefixed(t, v, rest);
        }

        @Override
        public boolean next() {
            if (i < t.length - 1) {
                i++;
                return true;
            }
            i = t.length;
            return rest.next();
        }

        @Override
        public boolean seek(long target) {
            while (i < t.length) {
                if (t[i] >= target) {
                    return true;
                }
                i++;
            }
            return rest.seek(target);
        }

        @Override
        public long timestamp() {
            return i < t.length ? t[i] : rest.timestamp();
        }

        @Override
        public double value() {
            return i < t.length ? v[i] : rest.value();
        }
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
