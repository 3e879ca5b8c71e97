package io.sightline.tsdb.merge;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Several queriers as one: series with the same labels in several sources become one series whose
 * samples are merged by time ({@link MergingIterator}). Sources are given oldest first. Results are
 * always in label order.
 */
public final class MergeQuerier implements Querier {
    private final List<Querier> parts;

    public MergeQuerier(List<Querier> parts) {
        this.parts = List.copyOf(parts);
    }

    @Override
    public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
        if (parts.size() == 1) {
            return parts.get(0).select(sorted, hints, matchers);
        }
        List<SeriesSet> sets = new ArrayList<>(parts.size());
        for (Querier q : parts) {
            sets.add(q.select(true, hints, matchers));
        }
        return new Merged(sets);
    }

    /**
     * The parts' sets merged by labels as the caller reads: series with the same labels in several parts become one
     * {@link MergedSeries} (parts in order, oldest first). Each part's set is selected at once (the head takes its
     * snapshot then) and read no further ahead than one series.
     */
    private static final class Merged implements SeriesSet {
        private final List<SeriesSet> sets;
        /** Each part's next series not yet merged, null once the part is done. */
        private final Series[] heads;
        /** Which parts gave the current series, to be advanced at the next call. */
        private final boolean[] taken;
        private boolean started;
        private Series current;

        Merged(List<SeriesSet> sets) {
            this.sets = sets;
            this.heads = new Series[sets.size()];
            this.taken = new boolean[sets.size()];
        }

        @Override
        public boolean next() {
            for (int i = 0; i < heads.length; i++) {
                if (!started || taken[i]) {
                    heads[i] = sets.get(i).next() ? sets.get(i).at() : null;
                    taken[i] = false;
                }
            }
            started = true;
            Labels min = null;
            for (Series h : heads) {
                if (h != null && (min == null || h.labels().compareTo(min) < 0)) {
                    min = h.labels();
                }
            }
            if (min == null) {
                current = null;
                return false;
            }
            List<Series> group = null;
            Series only = null;
            for (int i = 0; i < heads.length; i++) {
                if (heads[i] != null && heads[i].labels().equals(min)) {
                    taken[i] = true;
                    if (only == null) {
                        only = heads[i];
                    } else {
                        if (group == null) {
                            group = new ArrayList<>(heads.length);
                            group.add(only);
                        }
                        group.add(heads[i]);
                    }
                }
            }
            current = group == null ? only : new MergedSeries(min, group);
            return true;
        }

        @Override
        public Series at() {
            return current;
        }
    }

    @Override
    public List<String> labelNames(LabelMatcher... matchers) {
        TreeSet<String> names = new TreeSet<>();
        for (Querier q : parts) {
            names.addAll(q.labelNames(matchers));
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name, LabelMatcher... matchers) {
        TreeSet<String> values = new TreeSet<>();
        for (Querier q : parts) {
            values.addAll(q.labelValues(name, matchers));
        }
        return List.copyOf(values);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Querier q : parts) {
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

    private record MergedSeries(Labels labels, List<Series> parts) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            // The parts' earlier iterators go back to the parts in order (each takes only its own kind).
            List<SampleIterator> earlier = reuse instanceof MergingIterator m ? m.sources() : List.of();
            List<SampleIterator> its = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                its.add(parts.get(i).iterator(i < earlier.size() ? earlier.get(i) : null));
            }
            return new MergingIterator(its);
        }

        @Override
        public long resolutionMs() {
            long r = 0;
            for (Series s : parts) {
                r = Math.max(r, s.resolutionMs());
            }
            return r;
        }
    }
}
