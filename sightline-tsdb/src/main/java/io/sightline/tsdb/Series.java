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

    /**
     * {@code 0} for raw samples; otherwise the width in ms of the rollup windows the samples summarise
     * (downsampled data, returned only when the {@link SelectHints} allow it): one sample per window,
     * stamped at the window's last millisecond, its value the aggregate the hints' function needs.
     */
    default long resolutionMs() {
        return 0;
    }
}
