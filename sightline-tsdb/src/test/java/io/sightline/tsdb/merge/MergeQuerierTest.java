package io.sightline.tsdb.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The merge of several parts' selects, read series by series: every label set once, in label order, its samples
 * from every part that has it (earliest part first where timestamps meet); each part selected once, at the select,
 * and read no further ahead than the series being merged.
 */
class MergeQuerierTest {

    @Test
    void mergedSelect_equalsTheUnionByLabels_readingEachPartInStep_seeded() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 2_000; round++) {
            int partCount = r.nextInt(2, 5);
            List<Part> parts = new ArrayList<>();
            // label set -> timestamp -> value of the earliest part that has it
            TreeMap<Labels, TreeMap<Long, Double>> expected = new TreeMap<>();
            for (int p = 0; p < partCount; p++) {
                TreeMap<Labels, Series> series = new TreeMap<>();
                int n = r.nextInt(0, 12);
                for (int i = 0; i < n; i++) {
                    Labels labels = Labels.of("__name__", "m", "i", "" + r.nextInt(0, 15));
                    int samples = r.nextInt(1, 5);
                    long[] ts = new long[samples];
                    double[] vs = new double[samples];
                    long t = p * 100L + r.nextInt(0, 150);
                    for (int k = 0; k < samples; k++) {
                        ts[k] = t;
                        vs[k] = p * 1000 + k;
                        t += 1 + r.nextInt(0, 40);
                    }
                    series.put(labels, new ArraySeries(labels, ts, vs));
                }
                for (Series s : series.values()) {
                    ArraySeries a = (ArraySeries) s;
                    TreeMap<Long, Double> points = expected.computeIfAbsent(a.labels, k -> new TreeMap<>());
                    for (int k = 0; k < a.ts.length; k++) {
                        points.putIfAbsent(a.ts[k], a.vs[k]);
                    }
                }
                parts.add(new Part(new ArrayList<>(series.values())));
            }
            SeriesSet set = new MergeQuerier(new ArrayList<>(parts)).select(true, null,
                    LabelMatcher.equal("__name__", "m"));
            for (Part p : parts) {
                assertThat(p.selects).as("round %d: each part selected once, at the select", round).isEqualTo(1);
                assertThat(p.read).as("round %d: nothing read before the caller asks", round).isZero();
            }
            List<Labels> order = new ArrayList<>();
            while (set.next()) {
                Series s = set.at();
                order.add(s.labels());
                for (Part p : parts) {
                    // A part is read up to the series being merged and at most one beyond it.
                    long before = p.series.stream().filter(x -> x.labels().compareTo(s.labels()) <= 0).count();
                    assertThat(p.read).as("round %d: part read in step at %s", round, s.labels())
                            .isBetween((int) before, (int) before + 1);
                }
                TreeMap<Long, Double> got = new TreeMap<>();
                SampleIterator it = s.iterator(null);
                while (it.next()) {
                    assertThat(got.put(it.timestamp(), it.value())).as("one sample per timestamp").isNull();
                }
                assertThat(got).as("round %d: %s", round, s.labels()).isEqualTo(expected.get(s.labels()));
            }
            assertThat(order).as("round %d: every label set once, in label order", round)
                    .containsExactlyElementsOf(expected.keySet());
            assertThat(set.next()).isFalse();
        }
    }

    private record ArraySeries(Labels labels, long[] ts, double[] vs) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return new ArraySampleIterator(ts, vs, ts.length);
        }

        @Override
        public long resolutionMs() {
            return 0;
        }
    }

    /** A querier over a sorted list that counts its selects and the series read from them. */
    private static final class Part implements Querier {
        final List<Series> series;
        int selects;
        int read;

        Part(List<Series> series) {
            this.series = series;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, LabelMatcher... matchers) {
            selects++;
            SeriesSet all = SeriesSet.of(series);
            return new SeriesSet() {
                @Override
                public boolean next() {
                    boolean more = all.next();
                    if (more) {
                        read++;
                    }
                    return more;
                }

                @Override
                public Series at() {
                    return all.at();
                }
            };
        }

        @Override
        public List<String> labelNames(LabelMatcher... matchers) {
            return List.of();
        }

        @Override
        public List<String> labelValues(String name, LabelMatcher... matchers) {
            return List.of();
        }

        @Override
        public void close() {}
    }
}
