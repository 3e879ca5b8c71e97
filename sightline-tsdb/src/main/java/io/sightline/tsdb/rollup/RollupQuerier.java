package io.sightline.tsdb.rollup;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.block.Block;
import io.sightline.tsdb.merge.MergeQuerier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * Raw samples, or rollups where a query's hints allow them. A select whose
 * {@link SelectHints#maxResolutionMs()} admits a resolution with rollup blocks in the range, and whose
 * function a rollup answers ({@link Read#forFunction}), reads the coarsest such resolution: the rollup
 * blocks where they exist and, after the newest of them, the raw samples rolled up on the fly into the
 * same windows, so every series it returns is at one resolution. Anything else reads raw samples.
 * Label names and values come from both (the rollup label excluded): where raw samples have expired,
 * the series are still known through their rollups.
 */
public final class RollupQuerier implements Querier {
    private final Querier raw;
    private final long mint;
    private final long maxt;
    private final NavigableMap<Long, List<Block>> rollups;
    private final Map<Block, Querier> blockQueriers = new HashMap<>();
    private final BiFunction<Long, Long, Querier> rawQuerier;
    private final List<Querier> opened = new ArrayList<>();

    /**
     * @param raw raw samples over {@code [mint, maxt]}; closed with this querier
     * @param rollups rollup blocks overlapping the range by resolution, each list oldest first
     * @param rawQuerier opens a querier of raw samples over {@code [from, to]}
     */
    public RollupQuerier(Querier raw, long mint, long maxt, NavigableMap<Long, List<Block>> rollups,
            BiFunction<Long, Long, Querier> rawQuerier) {
        this.raw = raw;
        this.mint = mint;
        this.maxt = maxt;
        this.rollups = rollups;
        this.rawQuerier = rawQuerier;
        for (List<Block> blocks : rollups.values()) {
            for (Block b : blocks) {
                blockQueriers.put(b, b.querier(mint, maxt));
            }
        }
    }

    /** The resolution a select with these hints reads, {@code 0} for raw samples. */
    public long resolutionFor(SelectHints hints) {
        if (hints == null || hints.maxResolutionMs() == 0 || Read.forFunction(hints.func()) == null) {
            return 0;
        }
        Long r = rollups.floorKey(hints.maxResolutionMs());
        return r == null ? 0 : r;
    }

    @Override
    public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
        Querier.requireNarrowing(matchers);
        long r = resolutionFor(hints);
        if (r == 0) {
            return raw.select(sorted, hints, matchers);
        }
        Read read = Read.forFunction(hints.func());
        if (read == Read.AVG || read == Read.COUNTER) {
            // Reads of two aggregates, each merged over the blocks and the on-the-fly part, then combined
            // (so that a counter's reset adjustment runs over the whole series).
            boolean avg = read == Read.AVG;
            Map<Labels, Series> second = new HashMap<>();
            SeriesSet m = select(r, avg ? Read.COUNT : Read.MAX, hints, matchers);
            while (m.next()) {
                second.put(m.at().labels(), m.at());
            }
            List<Series> out = new ArrayList<>();
            SeriesSet f = select(r, avg ? Read.SUM : Read.LAST, hints, matchers);
            while (f.next()) {
                Series first = f.at();
                Series other = second.get(first.labels());
                if (!avg) {
                    out.add(new Counter(first.labels(), first, other, r));
                } else if (other != null) {
                    out.add(new Avg(first.labels(), first, other, r));
                }
            }
            return SeriesSet.of(out);
        }
        return select(r, read, hints, matchers);
    }

    /** The series at resolution {@code r}, in label order: rollup blocks, then raw samples rolled up. */
    private SeriesSet select(long r, Read read, SelectHints hints, LabelMatcher... matchers) {
        List<Querier> parts = new ArrayList<>();
        long covered = Long.MIN_VALUE;
        for (Block b : rollups.get(r)) {
            parts.add(new BlockView(blockQueriers.get(b), read, r));
            covered = Math.max(covered, b.meta().maxTime());
        }
        long from = Math.floorDiv(Math.max(mint, covered), r) * r;
        if (from <= maxt) {
            Querier q = rawQuerier.apply(from, maxt);
            synchronized (opened) {
                opened.add(q);
            }
            parts.add(new OnTheFly(q, read, r, from, maxt));
        }
        return new MergeQuerier(parts).select(true, hints, matchers);
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        TreeSet<String> names = new TreeSet<>(raw.labelNames(matchers));
        for (Querier q : blockQueriers.values()) {
            names.addAll(q.labelNames(withLast(matchers)));
        }
        names.remove(Aggregate.LABEL);
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        TreeSet<String> values = new TreeSet<>(raw.labelValues(name, matchers));
        if (!name.equals(Aggregate.LABEL)) {
            for (Querier q : blockQueriers.values()) {
                values.addAll(q.labelValues(name, withLast(matchers)));
            }
        }
        return List.copyOf(values);
    }

    /** The matchers restricted to one aggregate series per raw series (every window has a last value). */
    private static LabelMatcher[] withLast(LabelMatcher... matchers) {
        return with(matchers, Aggregate.LAST);
    }

    private static LabelMatcher[] with(LabelMatcher[] matchers, Aggregate a) {
        LabelMatcher[] out = Arrays.copyOf(matchers, matchers.length + 1);
        out[matchers.length] = LabelMatcher.equal(Aggregate.LABEL, a.label());
        return out;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        List<Querier> all = new ArrayList<>(blockQueriers.values());
        all.add(raw);
        synchronized (opened) {
            all.addAll(opened);
        }
        for (Querier q : all) {
            try {
                q.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * A part of a select, merged by a {@link MergeQuerier}: it only selects, and what it reads is closed
     * by the RollupQuerier.
     */
    private abstract static class SelectOnly implements Querier {
        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            throw new UnsupportedOperationException("BUG: only selected through");
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            throw new UnsupportedOperationException("BUG: only selected through");
        }

        @Override
        public void close() {
            // the queriers it reads are closed by the RollupQuerier
        }
    }

    /** One rollup block's series of one read, with the rollup label removed. Not closed by itself. */
    private static final class BlockView extends SelectOnly {
        private final Querier block;
        private final Read read;
        private final long resolution;

        BlockView(Querier block, Read read, long resolution) {
            this.block = block;
            this.read = read;
            this.resolution = resolution;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
            List<Series> out = new ArrayList<>();
            // Rollups are read as they are stored: how they combine depends on their values.
            SelectHints withValues = hints == null ? null : hints.withValues();
            SeriesSet s = block.select(false, withValues, with(matchers, read.stored()));
            while (s.next()) {
                out.add(new Stripped(strip(s.at().labels()), s.at(), resolution));
            }
            out.sort((a, b) -> a.labels().compareTo(b.labels()));
            return SeriesSet.of(out);
        }


        private static Labels strip(Labels l) {
            return l.toBuilder().remove(Aggregate.LABEL).build();
        }
    }

    /**
     * Raw samples rolled up as they are read, from {@code from} on; the window still open at the end of
     * the range is stamped at its end ({@code maxt}), so the newest samples are not left out. Not
     * closed by itself.
     */
    private static final class OnTheFly extends SelectOnly {
        private final Querier raw;
        private final Read read;
        private final long resolution;
        private final long from;
        private final long maxt;

        OnTheFly(Querier raw, Read read, long resolution, long from, long maxt) {
            this.raw = raw;
            this.read = read;
            this.resolution = resolution;
            this.from = from;
            this.maxt = maxt;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
            // Rolled up from their values (a window's last, sum, maximum...): read with them.
            SeriesSet set = raw.select(sorted, hints == null ? null : hints.withValues(), matchers);
            return new SeriesSet() {
                @Override
                public boolean next() {
                    return set.next();
                }

                @Override
                public Series at() {
                    Series s = set.at();
                    return new Series() {
                        @Override
                        public Labels labels() {
                            return s.labels();
                        }

                        @Override
                        public SampleIterator iterator(SampleIterator reuse) {
                            return new RollupIterator(s.iterator(null), read, resolution, from, maxt);
                        }

                        @Override
                        public long resolutionMs() {
                            return resolution;
                        }
                    };
                }
            };
        }

    }

    private record Stripped(Labels labels, Series inner, long resolutionMs) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return inner.iterator(null);
        }
    }

    /** A counter's last values adjusted for resets with the help of the maxima ({@link CounterIterator}). */
    private record Counter(Labels labels, Series last, Series max, long resolutionMs) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            SampleIterator m = max == null ? new io.sightline.tsdb.ArraySampleIterator(new long[0], new double[0], 0)
                    : max.iterator(null);
            return new CounterIterator(last.iterator(null), m);
        }
    }

    /** The mean of each window, from its sum and count (they have the same windows). */
    private record Avg(Labels labels, Series sum, Series count, long resolutionMs) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            SampleIterator s = sum.iterator(null);
            SampleIterator c = count.iterator(null);
            return new SampleIterator() {
                private double v;

                @Override
                public boolean next() {
                    return pair(s.next(), c.next());
                }

                @Override
                public boolean seek(long t) {
                    return pair(s.seek(t), c.seek(t));
                }

                private boolean pair(boolean a, boolean b) {
                    if (!a || !b || s.timestamp() != c.timestamp()) {
                        return false;
                    }
                    v = s.value() / c.value();
                    return true;
                }

                @Override
                public long timestamp() {
                    return s.timestamp();
                }

                @Override
                public double value() {
                    return v;
                }
            };
        }
    }
}
