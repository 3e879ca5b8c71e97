package io.sightline.tsdb.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.Series;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Six days of samples through the durable engine with downsampling after 6 h, raw samples kept 2 days,
 * 5-minute rollups 4 days and hourly ones 10: which blocks exist, and what queries read, across block
 * boundaries, retention, a restart and a delete.
 */
class DownsamplingTest {
    private static final long H = 3_600_000L;
    private static final long DAY = 24 * H;
    private static final long T0 = 20_400 * DAY;
    private static final long END = T0 + 6 * DAY;
    private static final TsdbStorage.BlockOptions OPTIONS = new TsdbStorage.BlockOptions(2 * H, 2 * DAY, 0, List.of(),
            0, new TsdbStorage.Downsampling(true, 6 * H, 4 * DAY, 10 * DAY));

    @TempDir
    Path dir;

    private TsdbStorage store;
    /** What was written, per series. */
    private final Map<Labels, List<long[]>> written = new TreeMap<>();

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    private void open() throws Exception {
        store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, OPTIONS);
    }

    /** A counter, a decimal random walk and a gauge with gaps and a stale marker, every minute at :07. */
    private void ingest() throws Exception {
        Random r = new Random(7);
        Labels c = Labels.of("__name__", "c", "host", "a");
        Labels ga = Labels.of("__name__", "g", "host", "a");
        Labels gb = Labels.of("__name__", "g", "host", "b");
        // A sender may use the rollup label itself: such a series is kept raw, never rolled up.
        Labels odd = Labels.of("__name__", "odd", Aggregate.LABEL, "count");
        double walk = 100;
        long nextMaintain = T0 + 2 * H;
        for (long t = T0 + 7_000; t < END; t += 60_000) {
            Appender a = store.appender();
            add(a, c, t, t / 1000.0);
            walk += Math.round(r.nextGaussian() * 40) / 4.0;
            add(a, ga, t, walk);
            a.append(0, odd, t, 1);
            long hourOfDay = (t - T0) % DAY / H;
            if (hourOfDay < 20) {
                add(a, gb, t, (hourOfDay == 19 && (t - T0) % H >= 59 * 60_000) ? StaleNaN.VALUE : r.nextInt(1000));
            }
            a.commit();
            if (t >= nextMaintain) {
                store.maintain();
                nextMaintain += 2 * H;
            }
        }
        while (!store.maintain().compacted().isEmpty()) {
            // until compactions settle
        }
    }

    private void add(Appender a, Labels l, long t, double v) throws Exception {
        a.append(0, l, t, v);
        written.computeIfAbsent(l, k -> new ArrayList<>()).add(new long[] {t, Double.doubleToRawLongBits(v)});
    }

    /** What the definition of a rollup gives over the written samples, from {@code from} on. */
    private List<long[]> expected(Labels l, Read read, long res, long from) {
        if (read == Read.AVG) {
            // Sum over count, window by window (they have the same windows).
            List<long[]> sums = expected(l, Read.SUM, res, from);
            List<long[]> counts = expected(l, Read.COUNT, res, from);
            List<long[]> out = new ArrayList<>();
            for (int i = 0; i < sums.size(); i++) {
                double avg = Double.longBitsToDouble(sums.get(i)[1]) / Double.longBitsToDouble(counts.get(i)[1]);
                out.add(new long[] {sums.get(i)[0], Double.doubleToRawLongBits(avg)});
            }
            return out;
        }
        List<long[]> raw = written.get(l);
        long[] ts = new long[raw.size()];
        double[] vs = new double[raw.size()];
        for (int i = 0; i < raw.size(); i++) {
            ts[i] = raw.get(i)[0];
            vs[i] = Double.longBitsToDouble(raw.get(i)[1]);
        }
        SampleIterator it = new RollupIterator(new ArraySampleIterator(ts, vs, ts.length), read, res);
        List<long[]> out = new ArrayList<>();
        for (boolean more = it.seek(from); more; more = it.next()) {
            out.add(new long[] {it.timestamp(), Double.doubleToRawLongBits(it.value())});
        }
        return out;
    }

    private record Read1(Map<Labels, List<long[]>> series, Map<Labels, Long> resolution) {}

    private Read1 read(long mint, long maxt, long maxRes, String func, LabelMatcher... m) {
        Map<Labels, List<long[]>> out = new TreeMap<>();
        Map<Labels, Long> res = new TreeMap<>();
        try (Querier q = store.querier(mint, maxt)) {
            SelectHints hints = new SelectHints(mint, maxt, maxRes, func, 0, List.of(), false, maxRes, false);
            SeriesSet set = q.select(true, hints, m);
            while (set.next()) {
                Series s = set.at();
                List<long[]> samples = new ArrayList<>();
                SampleIterator it = s.iterator(null);
                for (boolean more = it.seek(mint); more && it.timestamp() <= maxt; more = it.next()) {
                    samples.add(new long[] {it.timestamp(), Double.doubleToRawLongBits(it.value())});
                }
                out.put(s.labels(), samples);
                res.put(s.labels(), s.resolutionMs());
            }
        }
        return new Read1(out, res);
    }

    private static void assertSamples(List<long[]> actual, List<long[]> expected, String what) {
        assertThat(actual).as(what + ": samples").hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i)).as(what + " #" + i).containsExactly(expected.get(i));
        }
    }

    private long oldest(long resolution) {
        long min = Long.MAX_VALUE;
        for (BlockMeta m : store.blocks()) {
            if (m.resolution() == resolution) {
                min = Math.min(min, Math.floorDiv(m.minTime(), H) * H);
            }
        }
        return min;
    }

    private void assertHourlyMaximaOfAllSixDays(String when) {
        Read1 r = read(T0, END, H, "max_over_time", LabelMatcher.equal("__name__", "g"));
        assertThat(r.series()).as(when).containsOnlyKeys(Labels.of("__name__", "g", "host", "a"),
                Labels.of("__name__", "g", "host", "b"));
        for (Labels l : r.series().keySet()) {
            assertThat(r.resolution().get(l)).as(when).isEqualTo(H);
            // Stored hourly rollups for the first five days and more, rolled up on the fly after them.
            assertSamples(r.series().get(l), expected(l, Read.MAX, H, T0), when + " " + l);
        }
    }

    @Test
    void rollupsAreWrittenKeptAndReadAcrossBlocksRetentionAndARestart() throws Exception {
        open();
        ingest();
        List<BlockMeta> blocks = store.blocks();
        long newest = END - 60_000 + 7_000;
        // Raw blocks for the last 2 days only, 5m rollups for 4, hourly ones for all 6.
        assertThat(oldest(0)).isGreaterThanOrEqualTo(newest - 2 * DAY - 2 * H);
        assertThat(oldest(Downsampler.FIVE_MINUTES)).isBetween(newest - 4 * DAY - 6 * H, newest - 4 * DAY + 6 * H);
        assertThat(oldest(H)).isEqualTo(T0);
        // Rolled up from 2 h blocks, then compacted like them.
        long hourlyBlocks = blocks.stream().filter(m -> m.resolution() == H).count();
        assertThat(hourlyBlocks).isBetween(1L, 12L);
        for (BlockMeta m : blocks) {
            if (m.resolution() != 0) {
                assertThat(m.maxTime()).as("rolled up only once older than 6 h").isLessThanOrEqualTo(newest - 6 * H);
                assertThat(m.version()).as("rollup blocks are format version 2").isEqualTo(BlockMeta.VERSION_ROLLUP);
            } else {
                assertThat(m.version()).isEqualTo(BlockMeta.VERSION);
            }
        }
        // The series that carries the rollup label stayed raw, and did not stop the others' rollups.
        assertThat(read(T0, END, 0, null, LabelMatcher.equal("__name__", "odd")).series()).hasSize(1);

        assertHourlyMaximaOfAllSixDays("before the restart");

        // Every aggregate, at 5 minutes, where those rollups exist.
        long from5m = oldest(Downsampler.FIVE_MINUTES);
        for (String func : new String[] {null, "min_over_time", "sum_over_time", "count_over_time", "avg_over_time"}) {
            Read read = Read.forFunction(func);
            Read1 r = read(from5m, END, Downsampler.FIVE_MINUTES, func, LabelMatcher.equal("host", "a"));
            assertThat(r.series()).hasSize(2);
            for (Labels l : r.series().keySet()) {
                assertThat(r.resolution().get(l)).isEqualTo(Downsampler.FIVE_MINUTES);
                assertSamples(r.series().get(l), expected(l, read, Downsampler.FIVE_MINUTES, from5m),
                        func + " " + l);
            }
        }

        // Without leave to read rollups (or for a function they cannot answer): raw samples, 2 days of them.
        for (String func : new String[] {"max_over_time", "quantile_over_time"}) {
            long maxRes = func.equals("quantile_over_time") ? H : 0;
            Read1 raw = read(T0, END, maxRes, func, LabelMatcher.equal("__name__", "c"));
            List<long[]> c = raw.series().get(Labels.of("__name__", "c", "host", "a"));
            assertThat(raw.resolution().values()).containsOnly(0L);
            assertThat(c.get(0)[0]).isGreaterThanOrEqualTo(oldest(0));
            assertThat(c).hasSize((int) written.get(Labels.of("__name__", "c", "host", "a")).stream()
                    .filter(s -> s[0] >= oldest(0)).count());
        }

        // Where raw samples have expired, series are still listed through their rollups.
        try (Querier q = store.querier(T0, T0 + DAY)) {
            assertThat(q.labelNames()).containsExactly("__name__", "host");
            assertThat(q.labelValues("host", LabelMatcher.equal("__name__", "g"))).containsExactly("a", "b");
            assertThat(q.labelValues(Aggregate.LABEL)).isEmpty();
        }

        store.close();
        open();
        assertThat(store.maintain().downsampled()).as("nothing rolled up twice").isEmpty();
        assertHourlyMaximaOfAllSixDays("after the restart");

        store.delete(Long.MIN_VALUE, Long.MAX_VALUE, LabelMatcher.equal("host", "b"));
        Read1 r = read(T0, END, H, "max_over_time", LabelMatcher.equal("__name__", "g"));
        assertThat(r.series()).containsOnlyKeys(Labels.of("__name__", "g", "host", "a"));

        // Deleting ten minutes removes the rollup windows that held them, whole, and nothing else.
        Labels ga = Labels.of("__name__", "g", "host", "a");
        long day1 = T0 + DAY;
        store.delete(day1 + 600_000, day1 + 1_200_000, LabelMatcher.equal("host", "a"));
        List<long[]> hourly = read(T0, END, H, "max_over_time", LabelMatcher.equal("host", "a")).series().get(ga);
        List<long[]> expectedHourly = new ArrayList<>(expected(ga, Read.MAX, H, T0));
        expectedHourly.removeIf(s -> s[0] == day1 + H - 1);
        assertSamples(hourly, expectedHourly, "after deleting ten minutes");
        List<long[]> fiveMin = read(from5m, END, Downsampler.FIVE_MINUTES, null, LabelMatcher.equal("host", "a"))
                .series().get(ga);
        assertThat(fiveMin).as("that day is older than the 5m rollups").allMatch(s -> s[0] > day1 + H);
    }

    @Test
    void blocksThatWindowsWouldStraddle_areRefused() {
        assertThatThrownBy(() -> new TsdbStorage.BlockOptions(1_800_000L, 2 * DAY, 0, List.of(), 0,
                TsdbStorage.Downsampling.DEFAULTS)).hasMessageContaining("whole number of hours");
        assertThatThrownBy(() -> new TsdbStorage.BlockOptions(2 * H, DAY, 0, List.of(), 0,
                TsdbStorage.Downsampling.DEFAULTS)).hasMessageContaining("must be shorter than the retention");
        assertThatThrownBy(() -> new TsdbStorage.Downsampling(true, H, 10 * DAY, 5 * DAY))
                .hasMessageContaining("retention_1h must be at least retention_5m");
    }
}
