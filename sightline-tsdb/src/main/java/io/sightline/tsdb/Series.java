package io.sightline.tsdb;

import io.sightline.common.Labels;

/** One series and its samples in the querier's range. */
public interface Series {
    Labels labels();

    /**
     * A fresh iterator over the samples, in increasing timestamp order, one per timestamp.
     *
     * @param reuse an iterator returned earlier by this storage, which may be reset and returned
     *     instead of allocating (the caller must no longer use it), or null
     */
    SampleIterator iterator(SampleIterator reuse);
}
