package io.sightline.tsdb.rollup;

import io.sightline.common.Labels;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.block.Block;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.block.BlockWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes rollup blocks: for every series of a source block and every {@link Aggregate}, one series (the
 * source's labels plus {@link Aggregate#LABEL}) with a sample per window. Sources are read one series
 * at a time, once per aggregate, so memory does not grow with the number of samples.
 */
public final class Downsampler {
    /** The resolutions rollups are kept at, finest first. */
    public static final long FIVE_MINUTES = 300_000L;
    public static final long ONE_HOUR = 3_600_000L;
    public static final List<Long> RESOLUTIONS = List.of(FIVE_MINUTES, ONE_HOUR);

    private Downsampler() {}

    /**
     * Writes the rollups at {@code resolution} of {@code source}'s samples in {@code [from, to)} (both
     * multiples of the resolution) under {@code blocksDir}. The source is raw, or rollups of a finer
     * resolution (then each aggregate combines its own: counts and sums add up, minima, maxima and last
     * values carry). Returns null if the source has no sample in the range.
     */
    public static BlockMeta write(Path blocksDir, Block source, long from, long to, long resolution) throws IOException {
        if (resolution <= 0 || from % resolution != 0 || to % resolution != 0 || from >= to) {
            throw new IllegalArgumentException("BUG: rollup range [" + from + ", " + to + ") not aligned to "
                    + resolution);
        }
        long sourceResolution = source.meta().resolution();
        if (sourceResolution != 0 && (sourceResolution >= resolution || resolution % sourceResolution != 0)) {
            throw new IllegalArgumentException("BUG: cannot roll up resolution " + sourceResolution + " into "
                    + resolution);
        }
        List<BlockWriter.SeriesSource> out = new ArrayList<>();
        for (BlockWriter.SeriesSource s : source.seriesSources()) {
            if (sourceResolution == 0) {
                for (Aggregate a : Aggregate.values()) {
                    out.add(new Rolled(s.labels().toBuilder().set(Aggregate.LABEL, a.label()).build(), s, Read.of(a),
                            resolution, from));
                }
            } else {
                Aggregate a = aggregateOf(s.labels());
                out.add(new Rolled(s.labels(), s, Read.of(a.combinedBy()), resolution, from));
            }
        }
        if (sourceResolution == 0) {
            // Adding the label can reorder series (it sorts among the others by name).
            out.sort(Comparator.comparing(BlockWriter.SeriesSource::labels));
        }
        return BlockWriter.write(blocksDir, from, to, 1, List.of(), out, resolution);
    }

    /** The aggregate a rollup series holds. */
    static Aggregate aggregateOf(Labels labels) {
        String v = labels.get(Aggregate.LABEL);
        for (Aggregate a : Aggregate.values()) {
            if (a.label().equals(v)) {
                return a;
            }
        }
        throw new IllegalStateException("rollup series without a known " + Aggregate.LABEL + " label: " + labels);
    }

    private record Rolled(Labels labels, BlockWriter.SeriesSource source, Read read, long resolution, long from)
            implements BlockWriter.SeriesSource {
        @Override
        public SampleIterator samples() {
            return new RollupIterator(source.samples(), read, resolution, from);
        }
    }
}
