package io.sightline.tsdb;

/** Iterates samples held in two parallel arrays (increasing timestamps); seeks by binary search. */
public final class ArraySampleIterator implements SampleIterator {
    private final long[] ts;
    private final double[] vs;
    private final int n;
    private int i = -1;

    /** The first {@code n} entries of {@code ts} and {@code vs}; the arrays are not copied. */
    public ArraySampleIterator(long[] ts, double[] vs, int n) {
        this.ts = ts;
        this.vs = vs;
        this.n = n;
    }

    @Override
    public boolean next() {
        if (i < n) {
            i++;
        }
        return i < n;
    }

    @Override
    public boolean seek(long t) {
        if (i < 0) {
            i = 0;
        }
        if (i >= n) {
            return false;
        }
        if (ts[i] >= t) {
            return true;
        }
        int lo = i + 1;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        i = lo;
        return i < n;
    }

    @Override
    public int nextBatch(long[] out, double[] outV, int off, int max) {
        int from = Math.min(i + 1, n);
        int k = Math.min(max, n - from);
        System.arraycopy(ts, from, out, off, k);
        System.arraycopy(vs, from, outV, off, k);
        // Exhausted (k < max) ends past the last sample, as next() returning false does.
        i = k < max ? n : from + k - 1;
        return k;
    }

    @Override
    public long timestamp() {
        return ts[i];
    }

    @Override
    public double value() {
        return vs[i];
    }
}
