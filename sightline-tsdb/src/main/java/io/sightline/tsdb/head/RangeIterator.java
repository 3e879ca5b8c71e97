package io.sightline.tsdb.head;

import io.sightline.tsdb.SampleIterator;

/** Restricts an iterator to [mint, maxt]. */
final class RangeIterator implements SampleIterator {
    private final SampleIterator it;
    private final long mint;
    private final long maxt;
    private boolean started;
    private boolean done;

    RangeIterator(SampleIterator it, long mint, long maxt) {
        this.it = it;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public boolean next() {
        if (done) {
            return false;
        }
        boolean ok = started ? it.next() : it.seek(mint);
        started = true;
        if (!ok || it.timestamp() > maxt) {
            done = true;
            return false;
        }
        return true;
    }

    @Override
    public int nextBatch(long[] ts, double[] vs, int off, int max) {
        if (done || max == 0) {
            return 0;
        }
        int k = 0;
        if (!started) {
            if (!next()) {
                return 0;
            }
            ts[off] = it.timestamp();
            vs[off] = it.value();
            k = 1;
        }
        int got = it.nextBatch(ts, vs, off + k, max - k);
        int end = off + k + got;
        if (got > 0 && ts[end - 1] > maxt) {
            int keep = off + k;
            while (ts[keep] <= maxt) {
                keep++;
            }
            done = true; // past maxt: exhausted, as next() would say
            return keep - off;
        }
        if (k + got < max) {
            done = true;
        }
        return k + got;
    }

    @Override
    public boolean seek(long t) {
        if (done) {
            return false;
        }
        boolean ok = it.seek(Math.max(t, mint));
        started = true;
        if (!ok || it.timestamp() > maxt) {
            done = true;
            return false;
        }
        return true;
    }

    @Override
    public long timestamp() {
        return it.timestamp();
    }

    @Override
    public double value() {
        return it.value();
    }
}
