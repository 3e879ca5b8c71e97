package io.sightline.tsdb.block;

import io.sightline.common.Labels;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.merge.LabelOrderMerge;
import io.sightline.tsdb.merge.MergingIterator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Merges blocks into one: series with the same labels are joined, samples merged by time (the first
 * block listed wins a shared timestamp), deleted ranges left out. Used to build larger blocks from
 * the head's 2 h ones and to rewrite a block without its deleted samples.
 */
public final class Compactor {
    private Compactor() {}

    /**
     * Writes the merge of {@code blocks} (oldest first) under {@code blocksDir} as a block one level
     * above the highest of them, at their resolution (all must share it). Returns null if nothing is left
     * (everything was deleted).
     */
    public static BlockMeta compact(Path blocksDir, List<Block> blocks) throws IOException {
        long resolution = blocks.get(0).meta().resolution();
        for (Block b : blocks) {
            if (b.meta().resolution() != resolution) {
                throw new IllegalArgumentException("BUG: cannot merge blocks of resolutions " + resolution + " and "
                        + b.meta().resolution());
            }
        }
        long minT = Long.MAX_VALUE;
        long maxT = Long.MIN_VALUE;
        int level = 0;
        TreeSet<String> sources = new TreeSet<>();
        for (Block b : blocks) {
            minT = Math.min(minT, b.meta().minTime());
            maxT = Math.max(maxT, b.meta().maxTime());
            level = Math.max(level, b.meta().compaction().level());
            sources.addAll(b.meta().compaction().sources());
        }
        return BlockWriter.write(blocksDir, minT, maxT, level + 1, List.copyOf(sources), merged(blocks), resolution);
    }

    /**
     * The series of {@code blocks} (oldest first) as one list in label order, samples of a label set
     * in several blocks merged by time (the first block wins a shared timestamp), deletions applied.
     */
    public static List<BlockWriter.SeriesSource> merged(List<Block> blocks) {
        List<List<BlockWriter.SeriesSource>> lists = new ArrayList<>(blocks.size());
        for (Block b : blocks) {
            lists.add(b.seriesSources());
        }
        List<BlockWriter.SeriesSource> merged = new ArrayList<>();
        LabelOrderMerge.<BlockWriter.SeriesSource>merge(lists, BlockWriter.SeriesSource::labels, (labels, group) -> {
            if (group.size() == 1) {
                merged.add(group.get(0));
                return;
            }
            // The parts by block and series id only: their own copies of the labels are not kept.
            Block[] parts = new Block[group.size()];
            int[] ids = new int[group.size()];
            for (int i = 0; i < group.size(); i++) {
                Block.Source s = (Block.Source) group.get(i);
                parts[i] = s.block();
                ids[i] = s.id();
            }
            merged.add(new BlockWriter.SeriesSource() {
                @Override
                public Labels labels() {
                    return labels;
                }

                @Override
                public SampleIterator samples() {
                    List<SampleIterator> its = new ArrayList<>(parts.length);
                    for (int i = 0; i < parts.length; i++) {
                        its.add(parts[i].samples(ids[i]));
                    }
                    return new MergingIterator(its);
                }
            });
        });
        return merged;
    }
}
