package io.sightline.tsdb.head;

import io.sightline.tsdb.SampleIterator;
import java.util.List;

/** Iterates several iterators one after the other; their time ranges must be ascending and disjoint. */
final class ConcatIterator implements SampleIterator {
    private final List<SampleIterator> parts;
    private int i;

    ConcatIterator(List<SampleIterator> parts) {
        this.parts = parts;
    }

    @Override
    public boolean next() {
        while (i < parts.size()) {
            if (parts.get(i).next()) {
                return true;
            }
            i++;
        }
        return false;
    }

    @Override
    public int nextBatch(long[] ts, double[] vs, int off, int max) {
        int k = 0;
        while (k < max && i < parts.size()) {
            k += parts.get(i).nextBatch(ts, vs, off + k, max - k);
            if (k < max) {
                i++; // that part is exhausted
            }
        }
        return k;
    }

    @Override
    public boolean seek(long t) {
        while (i < parts.size()) {
            if (parts.get(i).seek(t)) {
                return true;
            }
            i++;
        }
        return false;
    }

    @Override
    public long timestamp() {
        return parts.get(i).timestamp();
    }

    @Override
    public double value() {
        return parts.get(i).value();
    }
}
