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
