package io.sightline.tsdb.head;

import io.sightline.tsdb.SampleIterator;

/**
 * Merges the in-order samples with the sorted out-of-order buffer. Validation keeps their timestamps
 * disjoint; should they meet anyway, the in-order sample wins and the other is skipped.
 */
final class MergeIterator implements SampleIterator {
    private final SampleIterator a;
    private final long[] bt;
    private final double[] bv;
    private boolean aValid;
    private boolean aStarted;
    private int bi = -1;
    private boolean started;
    private boolean fromA;
    private boolean done;

    MergeIterator(SampleIterator inOrder, long[] oooT, double[] oooV) {
        this.a = inOrder;
        this.bt = oooT;
        this.bv = oooV;
    }

    @Override
    public boolean next() {
        if (done) {
            return false;
        }
        if (!started) {
            started = true;
            aValid = a.next();
            aStarted = true;
            bi = 0;
        } else if (fromA) {
            aValid = a.next();
        } else {
            bi++;
        }
        return pick();
    }

    @Override
    public int nextBatch(long[] ts, double[] vs, int off, int max) {
        if (max == 0) {
            return 0;
        }
        if (bt.length != 0 || done || (started && !fromA)) {
            return SampleIterator.super.nextBatch(ts, vs, off, max);
        }
        // No out-of-order samples: the in-order ones alone.
        if (!started) {
            started = true;
            aStarted = true;
            bi = 0;
        }
        int got = a.nextBatch(ts, vs, off, max);
        fromA = true;
        aValid = got == max;
        done = !aValid;
        return got;
    }

    private boolean pick() {
        boolean bValid = bi < bt.length;
        while (aValid && bValid && a.timestamp() == bt[bi]) {
            bi++;
            bValid = bi < bt.length;
        }
        if (!aValid && !bValid) {
            done = true;
            return false;
        }
        fromA = aValid && (!bValid || a.timestamp() < bt[bi]);
        return true;
    }

    @Override
    public boolean seek(long t) {
        if (done) {
            return false;
        }
        if (started && timestamp() >= t) {
            return true;
        }
        if (!aStarted || aValid) {
            aValid = a.seek(t);
            aStarted = true;
        }
        if (bi < 0) {
            bi = 0;
        }
        while (bi < bt.length && bt[bi] < t) {
            bi++;
        }
        started = true;
        return pick();
    }

    @Override
    public long timestamp() {
        return fromA ? a.timestamp() : bt[bi];
    }

    @Override
    public double value() {
        return fromA ? a.value() : bv[bi];
    }
}
