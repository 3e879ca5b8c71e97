package io.sightline.bench;

import io.sightline.tsdb.head.TsdbStorage;

/** Settings the benchmarks share. */
final class Benchmarks {
    /**
     * No background cuts, compaction or retention: a benchmark of the head's paths must not have a cut
     * start in the middle of its measurement.
     */
    static final TsdbStorage.BlockOptions HEAD_ONLY = new TsdbStorage.BlockOptions(7_200_000L, 0, 0);

    private Benchmarks() {}
}
