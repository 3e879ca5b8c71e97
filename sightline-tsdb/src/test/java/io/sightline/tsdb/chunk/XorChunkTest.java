package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;
import java.util.Random;
import org.junit.jupiter.api.Test;

class XorChunkTest {

    /** Shapes of real series: the decoder must return every one bit-exactly. */
    enum Shape { REGULAR_CONSTANT, JITTERED_COUNTER, RANDOM_FLOATS, GAPS_AND_SPECIALS, HUGE_JUMPS }

    static long[] timestamps(Shape shape, Random r, int n) {
        long[] ts = new long[n];
        long t = shape == Shape.HUGE_JUMPS ? -r.nextLong(1L << 50) : 1_700_000_000_000L + r.nextInt(15_000);
        for (int i = 0; i < n; i++) {
            ts[i] = t;
            t += switch (shape) {
                case REGULAR_CONSTANT -> 15_000;
                case JITTERED_COUNTER -> 15_000 + r.nextInt(5) - 2;
                case RANDOM_FLOATS -> 1 + r.nextInt(60_000);
                case GAPS_AND_SPECIALS -> r.nextInt(10) == 0 ? 3_600_000 + r.nextInt(1_000_000) : 10_000;
                case HUGE_JUMPS -> 1 + (r.nextBoolean() ? r.nextLong(1L << 40) : r.nextInt(100));
            };
        }
        return ts;
    }

    static double[] values(Shape shape, Random r, int n) {
        double[] vs = new double[n];
        double v = r.nextInt(1000);
        for (int i = 0; i < n; i++) {
            vs[i] = switch (shape) {
                case REGULAR_CONSTANT -> 1;
                case JITTERED_COUNTER -> v += r.nextInt(50);
                case RANDOM_FLOATS, HUGE_JUMPS -> r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
                case GAPS_AND_SPECIALS -> switch (r.nextInt(6)) {
                    case 0 -> StaleNaN.VALUE;
                    case 1 -> Double.longBitsToDouble(0x7ff8000000000000L | r.nextInt(1 << 20));
                    case 2 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                    case 3 -> -0.0;
                    default -> r.nextDouble();
                };
            };
        }
        return vs;
    }

    /** Appends every sample, and returns the view taken right after sample {@code viewAt}. */
    static XorChunk.View appendAll(XorChunk c, long[] ts, double[] vs, int viewAt) {
        XorChunk.View view = null;
        for (int i = 0; i < ts.length; i++) {
            c.append(ts[i], vs[i]);
            if (i == viewAt) {
                view = c.view();
            }
        }
        return view;
    }

    @Test
    void roundTrip_everyShape_bitExact_seeded() {
        for (long seed = 0; seed < 200; seed++) {
            Random r = new Random(seed);
            Shape shape = Shape.values()[(int) (seed % Shape.values().length)];
            int n = 1 + r.nextInt(400);
            long[] ts = timestamps(shape, r, n);
            double[] vs = values(shape, r, n);
            XorChunk c = new XorChunk();
            for (int i = 0; i < n; i++) {
                c.append(ts[i], vs[i]);
            }
            assertThat(c.numSamples()).isEqualTo(n);
            assertThat(c.minTime()).isEqualTo(ts[0]);
            assertThat(c.maxTime()).isEqualTo(ts[n - 1]);
            for (SampleIterator it : new SampleIterator[] {c.iterator(), XorChunk.iterator(c.bytes())}) {
                for (int i = 0; i < n; i++) {
                    assertThat(it.next()).as("seed %d shape %s sample %d", seed, shape, i).isTrue();
                    assertThat(it.timestamp()).as("seed %d shape %s sample %d", seed, shape, i).isEqualTo(ts[i]);
                    assertThat(Double.doubleToRawLongBits(it.value())).as("seed %d shape %s sample %d", seed, shape, i)
                            .isEqualTo(Double.doubleToRawLongBits(vs[i]));
                }
                assertThat(it.next()).isFalse();
                assertThat(it.next()).isFalse();
            }
        }
    }

    /**
     * Batches read what single steps read: every shape, timestamp deltas of deltas at the edges of each bucket,
     * batches of random sizes into random offsets mixed with single steps and seeks, and views of a chunk that is
     * still growing.
     */
    @Test
    void batches_readWhatSingleStepsRead_seeded() {
        long[] edges = {0, 1, -1, 63, 64, -63, 65, -64, 8191, 8192, -8191, 8193, -8192, 524_287, 524_288, -524_287,
            524_289, -524_288, 1L << 40, -(1L << 40)};
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            Shape shape = Shape.values()[(int) (seed % Shape.values().length)];
            int n = 1 + r.nextInt(seed % 7 == 0 ? 3_000 : 400);
            long[] ts = timestamps(shape, r, n);
            double[] vs = values(shape, r, n);
            if (seed % 3 == 0) { // deltas of deltas at the buckets' edges
                long delta = 1_000_000_000L;
                for (int i = 1; i < n; i++) {
                    delta += i == 1 ? 0 : edges[r.nextInt(edges.length)];
                    delta = Math.max(1, delta);
                    ts[i] = ts[i - 1] + delta;
                }
            }
            XorChunk c = new XorChunk();
            int viewAt = r.nextInt(n);
            XorChunk.View partial = appendAll(c, ts, vs, viewAt);
            for (int m : new int[] {n, viewAt + 1}) {
                SampleIterator it = m == n ? XorChunk.iterator(c.bytes()) : partial.iterator();
                long[] bt = new long[64];
                double[] bv = new double[64];
                int i = 0;
                while (i < m) {
                    int step = r.nextInt(4);
                    if (step == 0) {
                        assertThat(it.next()).isTrue();
                        assertThat(it.timestamp()).as("seed %d sample %d", seed, i).isEqualTo(ts[i]);
                        i++;
                    } else if (step == 1 && i + 3 < m) {
                        assertThat(it.seek(ts[i + 3])).isTrue();
                        assertThat(it.timestamp()).as("seed %d seek to sample %d", seed, i + 3).isEqualTo(ts[i + 3]);
                        i += 4;
                    } else {
                        int off = r.nextInt(8);
                        int got = it.nextBatch(bt, bv, off, 1 + r.nextInt(64 - off));
                        assertThat(got).as("seed %d batch at %d", seed, i).isPositive();
                        for (int j = 0; j < got; j++, i++) {
                            assertThat(bt[off + j]).as("seed %d shape %s sample %d", seed, shape, i).isEqualTo(ts[i]);
                            assertThat(Double.doubleToRawLongBits(bv[off + j])).as("seed %d sample %d", seed, i)
                                    .isEqualTo(Double.doubleToRawLongBits(vs[i]));
                        }
                    }
                }
                assertThat(it.nextBatch(bt, bv, 0, 64)).isZero();
                assertThat(it.next()).isFalse();
            }
        }
    }

    @Test
    void iterator_seesOnlySamplesPresentWhenMade_whileAppendsContinue() {
        XorChunk c = new XorChunk();
        for (int i = 0; i < 10; i++) {
            c.append(i * 1000L, i);
        }
        SampleIterator before = c.iterator();
        for (int i = 10; i < 500; i++) {
            c.append(i * 1000L, i * 1.5);
        }
        int n = 0;
        while (before.next()) {
            assertThat(before.timestamp()).isEqualTo(n * 1000L);
            n++;
        }
        assertThat(n).isEqualTo(10);
    }

    /**
     * A cleared chunk encodes exactly as a new one, whatever it held before, and views taken before the
     * clear still read what they saw, through any number of clears and refills.
     */
    @Test
    void clear_reusesTheChunk_asNew_andKeepsEarlierViewsIntact_seeded() {
        Random r = new Random(11);
        XorChunk reused = new XorChunk();
        java.util.List<XorChunk.View> views = new java.util.ArrayList<>();
        java.util.List<long[]> viewTs = new java.util.ArrayList<>();
        for (int round = 0; round < 300; round++) {
            Shape shape = Shape.values()[round % Shape.values().length];
            int n = 1 + r.nextInt(r.nextBoolean() ? 20 : 400);
            long[] ts = timestamps(shape, r, n);
            double[] vs = values(shape, r, n);
            if (round > 0) {
                reused.clear();
            }
            XorChunk fresh = new XorChunk();
            for (int i = 0; i < n; i++) {
                reused.append(ts[i], vs[i]);
                fresh.append(ts[i], vs[i]);
                if (i == n / 2 && r.nextInt(3) == 0) {
                    views.add(reused.view());
                    viewTs.add(java.util.Arrays.copyOf(ts, i + 1));
                }
            }
            assertThat(reused.bytes()).as("round %d", round).isEqualTo(fresh.bytes());
            assertThat(reused.numSamples()).isEqualTo(n);
            assertThat(reused.minTime()).isEqualTo(ts[0]);
        }
        assertThat(views).hasSizeGreaterThan(50);
        for (int v = 0; v < views.size(); v++) {
            SampleIterator it = views.get(v).iterator();
            for (long t : viewTs.get(v)) {
                assertThat(it.next()).isTrue();
                assertThat(it.timestamp()).as("view %d", v).isEqualTo(t);
            }
            assertThat(it.next()).isFalse();
            // Seeks from the view's marks, which the refills did not overwrite.
            long[] seen = viewTs.get(v);
            int j = r.nextInt(seen.length);
            SampleIterator sought = views.get(v).iterator();
            assertThat(sought.seek(seen[j])).isTrue();
            assertThat(sought.timestamp()).as("view %d seek", v).isEqualTo(seen[j]);
        }
    }

    @Test
    void seek_findsFirstAtOrAfter_neverBackwards() {
        XorChunk c = new XorChunk();
        for (int i = 0; i < 100; i++) {
            c.append(i * 10L, i);
        }
        SampleIterator it = c.iterator();
        assertThat(it.seek(55)).isTrue();
        assertThat(it.timestamp()).isEqualTo(60);
        assertThat(it.seek(0)).isTrue();
        assertThat(it.timestamp()).isEqualTo(60);
        assertThat(it.seek(990)).isTrue();
        assertThat(it.seek(991)).isFalse();
        assertThat(XorChunk.iterator(new XorChunk().bytes()).seek(0)).isFalse();
    }

    /**
     * Seeks through views, which start from the chunk's seek marks, answer as a model of the samples does: targets
     * before, on, between and after samples, mixed with steps and batches, over views of a chunk still growing (its
     * marks array grown or not since) and of one cleared and refilled after the view.
     */
    @Test
    void seek_fromMarks_answersAsTheSamplesDo_seeded() {
        XorChunk reused = new XorChunk();
        for (long seed = 0; seed < 400; seed++) {
            Random r = new Random(seed);
            Shape shape = Shape.values()[(int) (seed % Shape.values().length)];
            int n = 1 + r.nextInt(seed % 5 == 0 ? 2_000 : 200);
            long[] ts = timestamps(shape, r, n);
            double[] vs = values(shape, r, n);
            XorChunk c = seed % 2 == 0 ? new XorChunk() : reused;
            c.clear();
            int viewAt = r.nextInt(n);
            XorChunk.View partial = appendAll(c, ts, vs, viewAt);
            for (int m : new int[] {n, viewAt + 1}) {
                SampleIterator it = m == n ? c.iterator() : partial.iterator();
                long[] bt = new long[16];
                double[] bv = new double[16];
                int p = -1; // the model's current sample
                while (true) {
                    int op = r.nextInt(5);
                    if (op == 0) {
                        boolean more = it.next();
                        p++;
                        assertThat(more).as("seed %d next at %d", seed, p).isEqualTo(p < m);
                        if (!more) {
                            break;
                        }
                    } else if (op == 1) {
                        int max = 1 + r.nextInt(16);
                        int got = it.nextBatch(bt, bv, 0, max);
                        for (int j = 0; j < got; j++) {
                            p++;
                            assertThat(bt[j]).as("seed %d batch sample %d", seed, p).isEqualTo(ts[p]);
                        }
                        if (got < max) { // the end: the iterator is spent
                            assertThat(p + 1).isEqualTo(m);
                            break;
                        }
                    } else {
                        int j = r.nextInt(m + 2) - 1;
                        long target = j < 0 ? Long.MIN_VALUE + 1 : j >= m ? ts[m - 1] + 1
                                : ts[j] + r.nextInt(3) - 1;
                        boolean found = it.seek(target);
                        if (p < 0 || ts[p] < target) {
                            do {
                                p++;
                            } while (p < m && ts[p] < target);
                        }
                        assertThat(found).as("seed %d seek %d", seed, target).isEqualTo(p < m);
                        if (!found) {
                            break;
                        }
                    }
                    assertThat(it.timestamp()).as("seed %d shape %s sample %d", seed, shape, p).isEqualTo(ts[p]);
                    assertThat(Double.doubleToRawLongBits(it.value())).as("seed %d sample %d", seed, p)
                            .isEqualTo(Double.doubleToRawLongBits(vs[p]));
                }
            }
        }
    }

    /**
     * Seeks to every sample's timestamp, one before and one after it, on chunks of sizes around the marks (31 to 120
     * samples), fresh and reused (filled, cleared without a view, so its marks array is kept, and filled again); and
     * seeks after the end.
     */
    @Test
    void seek_onAndAroundEveryMark_freshAndReusedChunks() {
        Random r = new Random(3);
        for (int n : new int[] {1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 120}) {
            long[] ts = timestamps(Shape.JITTERED_COUNTER, r, n);
            double[] vs = values(Shape.RANDOM_FLOATS, r, n);
            XorChunk reused = new XorChunk();
            appendAll(reused, timestamps(Shape.HUGE_JUMPS, r, 120), values(Shape.GAPS_AND_SPECIALS, r, 120), -1);
            reused.clear();
            for (XorChunk c : new XorChunk[] {new XorChunk(), reused}) {
                appendAll(c, ts, vs, -1);
                XorChunk.View view = c.view();
                for (int j = 0; j < n; j++) {
                    for (long d = -1; d <= 1; d++) {
                        SampleIterator it = view.iterator();
                        int want = d <= 0 ? j : j + 1;
                        assertThat(it.seek(ts[j] + d)).as("n %d seek to sample %d%+d", n, j, d).isEqualTo(want < n);
                        if (want < n) {
                            assertThat(it.timestamp()).as("n %d seek to sample %d%+d", n, j, d).isEqualTo(ts[want]);
                            assertThat(it.value()).isEqualTo(vs[want]);
                        }
                    }
                }
                SampleIterator spent = view.iterator();
                while (spent.next()) {
                    // to the end
                }
                assertThat(spent.seek(ts[0])).isFalse();
                assertThat(spent.seek(ts[n - 1])).isFalse();
            }
        }
    }

    /** A seek starts from the last mark before its target: the bits before that mark are not read at all. */
    @Test
    void seek_startsFromTheMark_withoutReadingTheSamplesBefore() {
        Random r = new Random(5);
        long[] ts = timestamps(Shape.JITTERED_COUNTER, r, 120);
        double[] vs = values(Shape.RANDOM_FLOATS, r, 120);
        XorChunk c = new XorChunk();
        for (int i = 0; i < 120; i++) {
            c.append(ts[i], vs[i]);
        }
        XorChunk.View v = c.view();
        long markBit = v.marks()[2 * 4 + 3] >>> 16; // the third mark, after sample 96
        byte[] garbled = v.buffer().clone();
        for (int b = 2; b < markBit / 8; b++) {
            garbled[b] = (byte) r.nextInt();
        }
        SampleIterator it = new XorChunk.View(garbled, v.bitLength(), v.count(), v.marks()).iterator();
        assertThat(it.seek(ts[100])).isTrue();
        for (int i = 100; i < 120; i++) {
            assertThat(it.timestamp()).isEqualTo(ts[i]);
            assertThat(it.value()).isEqualTo(vs[i]);
            assertThat(it.next()).isEqualTo(i < 119);
        }
        // Without marks the same bytes decode to something else, or fail: the check above can fail.
        SampleIterator plain = new XorChunk.View(garbled, v.bitLength(), v.count(), null).iterator();
        boolean same;
        try {
            same = plain.seek(ts[100]) && plain.timestamp() == ts[100];
            for (int i = 101; same && i < 120; i++) {
                same = plain.next() && plain.timestamp() == ts[i] && plain.value() == vs[i];
            }
        } catch (RuntimeException e) { // garbage may read past the end
            same = false;
        }
        assertThat(same).isFalse();
    }

    @Test
    void append_outOfOrderOrEqual_isABug() {
        XorChunk c = new XorChunk();
        c.append(10, 1);
        assertThatThrownBy(() -> c.append(10, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.append(5, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The compression the format promises: a regular constant series and small jitter stay small. */
    @Test
    void size_regularConstant_andJitter() {
        XorChunk constant = new XorChunk();
        XorChunk jitter = new XorChunk();
        Random r = new Random(5);
        for (int i = 0; i < 120; i++) {
            constant.append(1_700_000_000_000L + i * 15_000L, 42);
            jitter.append(1_700_000_000_000L + i * 15_000L + r.nextInt(5) - 2, 42);
        }
        // 2 header bytes, ~6 bytes varint t0, 8 bytes v0, 3 bytes delta, then 2 bits per sample.
        assertThat(constant.sizeBytes()).isLessThanOrEqualTo(2 + 6 + 8 + 3 + 31);
        // Jitter of +-2 ms: at most 9 + 1 bits per sample, against 16 + 1 with Prometheus's buckets.
        assertThat(jitter.sizeBytes() * 8.0 / 120).isLessThan(11.5);
    }

    @Test
    void truncatedChunk_isReportedAsCorrupt() {
        XorChunk c = new XorChunk();
        for (int i = 0; i < 50; i++) {
            c.append(i * 1000L + (i % 3), Math.sqrt(i));
        }
        byte[] b = c.bytes();
        byte[] cut = java.util.Arrays.copyOf(b, b.length / 2);
        SampleIterator it = XorChunk.iterator(cut);
        assertThatThrownBy(() -> {
            while (it.next()) {
                it.value();
            }
        }).isInstanceOf(CorruptChunkException.class).hasMessageContaining("read past the end");
        for (int len = 2; len < b.length; len++) {
            byte[] shorter = java.util.Arrays.copyOf(b, len);
            SampleIterator batches = XorChunk.iterator(shorter);
            assertThatThrownBy(() -> {
                long[] ts = new long[16];
                double[] vs = new double[16];
                while (batches.nextBatch(ts, vs, 0, 16) > 0) {
                    continue;
                }
            }).as("cut to %d bytes", len).isInstanceOf(CorruptChunkException.class);
        }
        assertThatThrownBy(() -> XorChunk.iterator(new byte[1])).isInstanceOf(CorruptChunkException.class);
    }
}
