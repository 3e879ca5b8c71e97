package io.sightline.tsdb.rollup;

import io.sightline.common.Labels;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.block.Block;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.block.BlockWriter;
import io.sightline.tsdb.block.Compactor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes rollup blocks: for every series of the source blocks and every {@link Aggregate}, one series
 * (the source's labels plus {@link Aggregate#LABEL}) with a sample per window. Sources are read one
 * series at a time, once per aggregate, so memory does not grow with the number of samples.
 */
public final class Downsampler {
    /** The resolutions rollups are kept at, finest first. */
    public static final long FIVE_MINUTES = 300_000L;
    public static final long ONE_HOUR = 3_600_000L;
    public static final List<Long> RESOLUTIONS = List.of(FIVE_MINUTES, ONE_HOUR);

    private Downsampler() {}

    /**
     * Writes the rollups at {@code resolution} of the raw samples in {@code [from, to)} (both multiples
     * of the resolution) of {@code sources} (raw blocks, oldest first, merged) under {@code blocksDir}.
     * Series that already carry {@link Aggregate#LABEL} (a sender may write it) are left out: their
     * rollups could not be told apart from the others'. Returns null if no sample is in the range.
     */
    public static BlockMeta write(Path blocksDir, List<Block> sources, long from, long to, long resolution)
            throws IOException {
        if (resolution <= 0 || from % resolution != 0 || to % resolution != 0 || from >= to) {
            throw new IllegalArgumentException("BUG: rollup range [" + from + ", " + to + ") not aligned to "
                    + resolution);
        }
        List<BlockWriter.SeriesSource> out = new ArrayList<>();
        for (BlockWriter.SeriesSource s : Compactor.merged(sources)) {
            if (s.labels().has(Aggregate.LABEL)) {
                continue;
            }
            for (Aggregate a : Aggregate.values()) {
                out.add(new Rolled(s.labels().toBuilder().set(Aggregate.LABEL, a.label()).build(), s, Read.of(a),
                        resolution, from));
            }
        }
        // Adding the label can reorder series (it sorts among the others by name).
        out.sort(Comparator.comparing(BlockWriter.SeriesSource::labels));
        return BlockWriter.write(blocksDir, from, to, 1, List.of(), out, resolution);
    }

    private record Rolled(Labels labels, BlockWriter.SeriesSource source, Read read, long resolution, long from)
            implements BlockWriter.SeriesSource {
        @Override
        public SampleIterator samples() {
            return new RollupIterator(source.samples(), read, resolution, from);
        }
    }
}
