package io.sightline.ingest;

import io.sightline.common.Labels;

/** Receives what a parser decoded, series by series. Implementations are not called concurrently. */
public interface SeriesSink {
    /**
     * A valid series and its samples. The arrays are the parser's and are reused after the call
     * returns: copy what you keep.
     */
    void series(Labels labels, long[] timestamps, double[] values, int count);

    /** A series that cannot be stored, with why; the rest of the request is unaffected. */
    void invalid(String series, String reason, int samples);
}
