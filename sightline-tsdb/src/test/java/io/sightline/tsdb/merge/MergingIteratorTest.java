package io.sightline.tsdb.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.SampleIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MergingIteratorTest {

    /** What the merge must give: per timestamp, the value of the earliest source that has it. */
    static TreeMap<Long, Double> reference(List<long[]> ts, List<double[]> vs) {
        TreeMap<Long, Double> out = new TreeMap<>();
        for (int s = 0; s < ts.size(); s++) {
            for (int i = 0; i < ts.get(s).length; i++) {
                out.putIfAbsent(ts.get(s)[i], vs.get(s)[i]);
            }
        }
        return out;
    }

    @Test
    void sourcesThatOverlapOrNot_withSharedTimestampsSeeksAndBatches_seeded() {
        SplittableRandom r = new SplittableRandom(42);
        for (int round = 0; round < 3_000; round++) {
            int sources = r.nextInt(1, 6);
            List<long[]> ts = new ArrayList<>();
            List<double[]> vs = new ArrayList<>();
            for (int s = 0; s < sources; s++) {
                // Mostly disjoint time ranges in order (blocks, then the head), sometimes overlapping.
                long start = r.nextInt(4) == 0 ? r.nextLong(0, 2_000) : s * 1_000L;
                int n = r.nextInt(0, 60);
                long[] t = new long[n];
                double[] v = new double[n];
                long at = start;
                for (int i = 0; i < n; i++) {
                    at += r.nextInt(1, 40);
                    t[i] = at;
                    v[i] = s * 10_000 + i;
                }
                ts.add(t);
                vs.add(v);
            }
            TreeMap<Long, Double> want = reference(ts, vs);
            List<SampleIterator> parts = new ArrayList<>();
            for (int s = 0; s < sources; s++) {
                parts.add(new ArraySampleIterator(ts.get(s), vs.get(s), ts.get(s).length));
            }
            MergingIterator it = new MergingIterator(parts);
            // Read with a seek now and then, as queries do.
            List<Map.Entry<Long, Double>> got = new ArrayList<>();
            long seekTo = r.nextInt(3) == 0 ? r.nextLong(0, 3_000) : Long.MIN_VALUE;
            boolean has = seekTo == Long.MIN_VALUE ? it.next() : it.seek(seekTo);
            long[] bt = new long[40];
            double[] bv = new double[40];
            while (has) {
                got.add(Map.entry(it.timestamp(), it.value()));
                int op = r.nextInt(10);
                if (op < 3) {
                    // In bulk: as many next() calls; positioned at the last sample read unless it ran out.
                    int off = r.nextInt(5);
                    int max = r.nextInt(1, 30);
                    int k = it.nextBatch(bt, bv, off, max);
                    for (int i = 0; i < k; i++) {
                        if (i < k - 1 || k < max) {
                            got.add(Map.entry(bt[off + i], bv[off + i]));
                        } else {
                            assertThat(it.timestamp()).isEqualTo(bt[off + i]);
                            assertThat(it.value()).isEqualTo(bv[off + i]);
                        }
                    }
                    has = k == max;
                } else if (op == 3) {
                    long jump = it.timestamp() + r.nextInt(1, 100);
                    has = it.seek(jump);
                    if (has && it.timestamp() < jump) {
                        throw new AssertionError("seek went backwards");
                    }
                    // everything skipped by the seek is dropped from the expectation
                    long from = got.get(got.size() - 1).getKey();
                    want.subMap(from, false, jump, false).clear();
                } else {
                    has = it.next();
                }
            }
            if (seekTo != Long.MIN_VALUE) {
                want.headMap(seekTo, false).clear();
            }
            assertThat(got).as("round %d", round).containsExactlyElementsOf(new ArrayList<>(want.entrySet()));
            assertThat(it.next()).isFalse();
        }
    }
}
