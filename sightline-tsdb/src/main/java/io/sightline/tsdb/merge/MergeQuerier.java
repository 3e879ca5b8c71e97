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
        List<List<Series>> lists = new ArrayList<>();
        for (Querier q : parts) {
            List<Series> l = new ArrayList<>();
            SeriesSet set = q.select(true, hints, matchers);
            while (set.next()) {
                l.add(set.at());
            }
            lists.add(l);
        }
        List<Series> out = new ArrayList<>();
        LabelOrderMerge.<Series>merge(lists, Series::labels,
                (labels, group) -> out.add(group.size() == 1 ? group.get(0) : new MergedSeries(labels, group)));
        return SeriesSet.of(out);
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
