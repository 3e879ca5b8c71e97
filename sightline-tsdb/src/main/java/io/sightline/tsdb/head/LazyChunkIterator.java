package io.sightline.tsdb.head;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.chunk.XorChunk;

/** Reads a closed chunk from the files only when iteration reaches it; a seek past its end skips it unread. */
final class LazyChunkIterator implements SampleIterator {
    private final HeadChunkFiles files;
    private final MemSeries.ChunkRef ref;
    private SampleIterator it;
    private boolean skipped;

    LazyChunkIterator(HeadChunkFiles files, MemSeries.ChunkRef ref) {
        this.files = files;
        this.ref = ref;
    }

    private SampleIterator load() {
        if (it == null) {
            it = XorChunk.iterator(files.read(ref.handle(), ref.length()));
        }
        return it;
    }

    @Override
    public boolean next() {
        return !skipped && load().next();
    }

    @Override
    public int nextBatch(long[] ts, double[] vs, int off, int max) {
        return skipped ? 0 : load().nextBatch(ts, vs, off, max);
    }

    @Override
    public boolean seek(long t) {
        if (skipped) {
            return false;
        }
        if (it == null && t > ref.maxT()) {
            skipped = true;
            return false;
        }
        return load().seek(t);
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
