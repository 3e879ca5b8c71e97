package io.sightline.testkit.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Storage} must have. An implementation's test extends this class and says
 * how to open a fresh store. Stores opened through {@link #open} are closed after each test.
 */
public abstract class StorageContract {
    private final List<Storage> opened = new ArrayList<>();

    /** A new, empty store with these options. */
    protected abstract Storage create(StorageOptions options) throws Exception;

    protected final Storage open(StorageOptions options) throws Exception {
        Storage s = create(options);
        opened.add(s);
        return s;
    }

    protected final Storage open() throws Exception {
        return open(StorageOptions.DEFAULTS);
    }

    @AfterEach
    void closeStores() throws Exception {
        for (Storage s : opened) {
            s.close();
        }
        opened.clear();
    }

    protected static final long T0 = 1_700_000_000_000L;

    protected static Labels series(String name, String... labels) {
        Labels.Builder b = Labels.of(labels).toBuilder();
        b.set(Labels.METRIC_NAME, name);
        return b.build();
    }

    /** Reads everything a selector returns, as labels to samples (timestamp to value bits), in set order. */
    protected static Map<Labels, TreeMap<Long, Long>> read(Storage s, long mint, long maxt, LabelMatcher... matchers)
            throws StorageException {
        Map<Labels, TreeMap<Long, Long>> out = new LinkedHashMap<>();
        try (Querier q = s.querier(mint, maxt)) {
            SeriesSet set = q.select(true, SelectHints.range(mint, maxt), matchers);
            Labels prev = null;
            SampleIterator previous = null;
            while (set.next()) {
                Labels l = set.at().labels();
                if (prev != null) {
                    assertThat(prev.compareTo(l)).as("sorted and distinct: %s then %s", prev, l).isNegative();
                }
                prev = l;
                TreeMap<Long, Long> samples = new TreeMap<>();
                SampleIterator it = set.at().iterator(previous); // the previous series' iterator, to reuse
                long last = Long.MIN_VALUE;
                while (it.next()) {
                    assertThat(it.timestamp()).as("increasing timestamps").isGreaterThan(last);
                    last = it.timestamp();
                    assertThat(it.timestamp()).isBetween(mint, maxt);
                    samples.put(it.timestamp(), Double.doubleToRawLongBits(it.value()));
                }
                assertThat(samples).as("a selected series has samples in range").isNotEmpty();
                // Again through the iterator just used (the storage may reuse its buffers), in batches.
                SampleIterator again = set.at().iterator(it);
                assertThat(readInBatches(again, new Random(l.hashCode())))
                        .as("%s read again with nextBatch and next mixed", l).isEqualTo(samples);
                previous = again;
                out.put(l, samples);
            }
        }
        return out;
    }

    protected static void appendAll(Storage s, Labels l, long... tsAndValues) throws StorageException {
        Appender a = s.appender();
        for (int i = 0; i < tsAndValues.length; i += 2) {
            a.append(0, l, tsAndValues[i], tsAndValues[i + 1]);
        }
        a.commit();
    }

    private static LabelMatcher name(String metric) {
        return LabelMatcher.equal(Labels.METRIC_NAME, metric);
    }

    @Test
    void commit_makesSamplesVisible_rollbackAndUncommittedDoNot() throws Exception {
        Storage s = open();
        Labels up = series("up", "job", "api");
        Appender a = s.appender();
        a.append(0, up, T0, 1);
        a.append(0, up, T0 + 15_000, 0);
        assertThat(read(s, T0, T0 + 60_000, name("up"))).as("before commit").isEmpty();
        a.commit();
        assertThat(read(s, T0, T0 + 60_000, name("up")))
                .containsExactly(Map.entry(up, new TreeMap<>(Map.of(T0, bits(1), T0 + 15_000, bits(0)))));
        Appender b = s.appender();
        b.append(0, up, T0 + 30_000, 5);
        b.rollback();
        assertThat(read(s, T0, T0 + 60_000, name("up")).get(up)).doesNotContainKey(T0 + 30_000);
        assertThatThrownBy(() -> b.append(0, up, T0 + 45_000, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> a.append(0, up, T0 + 45_000, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void querier_rangeIsInclusiveAtBothEnds() throws Exception {
        Storage s = open();
        Labels m = series("m");
        appendAll(s, m, T0, 1, T0 + 1000, 2, T0 + 2000, 3, T0 + 3000, 4);
        assertThat(read(s, T0 + 1000, T0 + 2000, name("m")).get(m).keySet()).containsExactly(T0 + 1000, T0 + 2000);
        assertThat(read(s, T0 + 3001, T0 + 9000, name("m"))).as("no samples in range, no series").isEmpty();
        assertThat(read(s, T0 - 5000, T0, name("m")).get(m).keySet()).containsExactly(T0);
    }

    @Test
    void select_matchersOfEveryType_andAbsentLabelsMatchEmpty() throws Exception {
        Storage s = open();
        Labels a = series("http_requests_total", "job", "api", "status", "200");
        Labels b = series("http_requests_total", "job", "api", "status", "500");
        Labels c = series("http_requests_total", "job", "web", "status", "200", "canary", "yes");
        Labels d = series("up", "job", "api");
        for (Labels l : List.of(a, b, c, d)) {
            appendAll(s, l, T0, 1);
        }
        long e = T0 + 1;
        assertThat(read(s, T0, e, name("http_requests_total")).keySet()).containsExactlyInAnyOrder(a, b, c);
        assertThat(read(s, T0, e, name("http_requests_total"), LabelMatcher.notEqual("status", "200")).keySet())
                .containsExactly(b);
        assertThat(read(s, T0, e, LabelMatcher.regex("job", "api|web"), LabelMatcher.regex("status", "2..")).keySet())
                .containsExactlyInAnyOrder(a, c);
        assertThat(read(s, T0, e, name("http_requests_total"), LabelMatcher.notRegex("status", "5.*")).keySet())
                .containsExactlyInAnyOrder(a, c);
        assertThat(read(s, T0, e, name("http_requests_total"), LabelMatcher.equal("canary", "")).keySet())
                .as("absent label equals the empty string").containsExactlyInAnyOrder(a, b);
        assertThat(read(s, T0, e, LabelMatcher.regex(Labels.METRIC_NAME, ".+")).keySet())
                .containsExactlyInAnyOrder(a, b, c, d);
        assertThat(read(s, T0, e, name("nope"))).isEmpty();
        try (Querier q = s.querier(T0, e)) {
            assertThatThrownBy(() -> q.select(false, null, LabelMatcher.regex("job", ".*")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> q.select(false, null)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void labelNamesAndValues_respectMatchersAndRange() throws Exception {
        Storage s = open();
        appendAll(s, series("a", "job", "x", "zone", "eu"), T0, 1);
        appendAll(s, series("b", "job", "y"), T0 + 10_000, 1);
        appendAll(s, series("c", "job", "z", "pod", "p1"), T0 + 20_000, 1);
        try (Querier q = s.querier(T0, T0 + 10_000)) {
            assertThat(q.labelNames()).containsExactly("__name__", "job", "zone");
            assertThat(q.labelValues("job")).containsExactly("x", "y");
            assertThat(q.labelValues("job", LabelMatcher.notEqual("zone", ""))).containsExactly("x");
            assertThat(q.labelNames(name("b"))).containsExactly("__name__", "job");
            assertThat(q.labelValues("missing")).isEmpty();
        }
        try (Querier q = s.querier(T0, T0 + 30_000)) {
            assertThat(q.labelValues(Labels.METRIC_NAME)).containsExactly("a", "b", "c");
        }
    }

    @Test
    void values_areStoredBitExact_includingStaleMarkersAndNaNPayloads() throws Exception {
        Storage s = open();
        Labels m = series("m");
        double[] values = {0.0, -0.0, Double.NaN, StaleNaN.VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE, 1e-300, Double.longBitsToDouble(0x7ff8000000000123L), 42.5};
        Appender a = s.appender();
        for (int i = 0; i < values.length; i++) {
            a.append(0, m, T0 + i * 1000L, values[i]);
        }
        a.commit();
        TreeMap<Long, Long> got = read(s, T0, T0 + 60_000, name("m")).get(m);
        for (int i = 0; i < values.length; i++) {
            assertThat(got.get(T0 + i * 1000L)).as("value %d", i).isEqualTo(Double.doubleToRawLongBits(values[i]));
        }
        assertThat(StaleNaN.is(Double.longBitsToDouble(got.get(T0 + 3000)))).isTrue();
    }

    @Test
    void duplicates_sameValueIgnored_differentValueRejected_alsoWithinABatch() throws Exception {
        Storage s = open();
        Labels m = series("m");
        appendAll(s, m, T0, 1);
        Appender a = s.appender();
        a.append(0, m, T0, 1);
        assertThatThrownBy(() -> a.append(0, m, T0, 2)).isInstanceOf(StorageException.DuplicateSample.class)
                .hasMessageContaining("t=" + T0);
        a.append(0, m, T0 + 1000, 5);
        a.append(0, m, T0 + 1000, 5);
        assertThatThrownBy(() -> a.append(0, m, T0 + 1000, 6)).isInstanceOf(StorageException.DuplicateSample.class);
        a.commit();
        assertThat(read(s, T0, T0 + 5000, name("m")).get(m)).containsExactly(Map.entry(T0, bits(1)), Map.entry(T0 + 1000, bits(5)));
    }

    @Test
    void outOfOrder_withinWindowMerged_outsideRejected() throws Exception {
        Storage s = open(StorageOptions.DEFAULTS.withOutOfOrderWindowMs(600_000));
        Labels m = series("m");
        long now = T0 + 3_600_000;
        appendAll(s, m, now, 10);
        appendAll(s, m, now - 300_000, 5, now - 599_000, 1);
        assertThat(read(s, 0, Long.MAX_VALUE, name("m")).get(m).keySet()).containsExactly(now - 599_000, now - 300_000, now);
        Appender a = s.appender();
        assertThatThrownBy(() -> a.append(0, m, now - 900_000, 1)).isInstanceOf(StorageException.OutOfOrderSample.class);
        assertThatThrownBy(() -> a.append(0, m, now - 7_200_000, 1)).isInstanceOf(StorageException.TooOldSample.class)
                .hasMessageContaining("too old");
        a.append(0, series("lagging"), now - 1_800_000, 1);
        a.commit();
        assertThat(read(s, 0, Long.MAX_VALUE, name("lagging"))).as("in-order grace for a new series").hasSize(1);
    }

    @Test
    void outOfOrder_zeroWindow_rejectsOlderThanSeriesButAcceptsLaggingSeries() throws Exception {
        Storage s = open(StorageOptions.DEFAULTS.withOutOfOrderWindowMs(0));
        Labels fast = series("m", "i", "fast");
        Labels slow = series("m", "i", "slow");
        appendAll(s, fast, T0 + 600_000, 1);
        appendAll(s, slow, T0, 1, T0 + 15_000, 2);
        Appender a = s.appender();
        assertThatThrownBy(() -> a.append(0, slow, T0 + 5_000, 3)).isInstanceOf(StorageException.OutOfOrderSample.class);
        a.append(0, slow, T0 + 30_000, 3);
        a.commit();
        assertThat(read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("i", "slow")).get(slow)).hasSize(3);
    }

    @Test
    void significantDigits_roundValuesAsStored_keepIntegersAndSpecialValues() throws Exception {
        Storage s = open(StorageOptions.DEFAULTS.withSignificantDigits(6));
        Labels m = series("rounded");
        double[] in = {3.14159265358979, 0.000123456789, 123456789.75, 42, 9.007199254740993E15, StaleNaN.VALUE,
                Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e-30};
        double[] stored = {3.14159, 0.000123457, 123456790, 42, 9.007199254740993E15, StaleNaN.VALUE,
                Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e-30};
        Appender a = s.appender();
        for (int i = 0; i < in.length; i++) {
            a.append(0, m, T0 + i * 15_000L, in[i]);
        }
        a.commit();
        TreeMap<Long, Long> got = read(s, 0, Long.MAX_VALUE, name("rounded")).get(m);
        for (int i = 0; i < in.length; i++) {
            assertThat(got.get(T0 + i * 15_000L)).as("bits stored for %s", in[i]).isEqualTo(bits(stored[i]));
        }
        // A resend of the same raw sample rounds to what is stored: a duplicate, ignored; another value is not.
        Appender again = s.appender();
        again.append(0, m, T0, 3.14159265358979);
        assertThatThrownBy(() -> again.append(0, m, T0 + 15_000L, 0.000124)).isInstanceOf(
                StorageException.DuplicateSample.class);
        again.commit();

        Storage exact = open(StorageOptions.DEFAULTS);
        appendAll(exact, m, T0, 0);
        Appender e = exact.appender();
        e.append(0, m, T0 + 15_000L, 3.14159265358979);
        e.commit();
        assertThat(read(exact, 0, Long.MAX_VALUE, name("rounded")).get(m).get(T0 + 15_000L))
                .as("the default stores values bit for bit").isEqualTo(bits(3.14159265358979));
    }

    @Test
    void limits_rejectOnlyTheOffendingSeries_namingTheLimit() throws Exception {
        Storage s = open(StorageOptions.DEFAULTS.withLimits(new StorageOptions.Limits(3, 3, 10, 8)));
        Appender a = s.appender();
        a.append(0, series("ok", "a", "1"), T0, 1);
        assertThatThrownBy(() -> a.append(0, series("m", "a", "1", "b", "2", "c", "3"), T0, 1))
                .isInstanceOfSatisfying(StorageException.LimitExceeded.class,
                        e -> assertThat(e.limit()).isEqualTo("max_label_names_per_series"));
        assertThatThrownBy(() -> a.append(0, series("m", "a_very_long_name", "1"), T0, 1))
                .isInstanceOfSatisfying(StorageException.LimitExceeded.class,
                        e -> assertThat(e.limit()).isEqualTo("max_label_name_length"));
        assertThatThrownBy(() -> a.append(0, series("m", "a", "123456789"), T0, 1))
                .isInstanceOfSatisfying(StorageException.LimitExceeded.class,
                        e -> assertThat(e.limit()).isEqualTo("max_label_value_length"));
        assertThatThrownBy(() -> a.append(0, Labels.empty(), T0, 1)).isInstanceOf(StorageException.InvalidLabels.class);
        a.append(0, series("ok", "a", "2"), T0, 1);
        a.append(0, series("ok", "a", "3"), T0, 1);
        assertThatThrownBy(() -> a.append(0, series("ok", "a", "4"), T0, 1))
                .isInstanceOfSatisfying(StorageException.LimitExceeded.class, e -> {
                    assertThat(e.limit()).isEqualTo("max_series");
                    assertThat(e.getMessage()).contains("max_series=3");
                });
        a.append(0, series("ok", "a", "1"), T0 + 1, 2);
        a.commit();
        assertThat(read(s, T0, T0 + 1, name("ok"))).hasSize(3);
    }

    /**
     * Two batches each create new series up to the series limit: the later commit finds the limit
     * reached and drops only its new series' samples, keeping those of existing series.
     */
    @Test
    void seriesLimitReachedByAnotherCommit_dropsOnlyTheNewSeries() throws Exception {
        Storage s = open(StorageOptions.DEFAULTS.withLimits(new StorageOptions.Limits(3, 10, 64, 64)));
        appendAll(s, series("old"), T0, 1);
        Appender first = s.appender();
        Appender second = s.appender();
        first.append(0, series("a"), T0, 1);
        first.append(0, series("b"), T0, 1);
        second.append(0, series("old"), T0 + 1000, 2);
        second.append(0, series("c"), T0, 3);
        second.append(0, series("c"), T0 + 1000, 4);
        second.append(0, series("old"), T0 + 2000, 5);
        first.commit();
        second.commit();
        assertThat(read(s, T0, T0 + 5000, name("old")).get(series("old")))
                .containsExactly(Map.entry(T0, bits(1)), Map.entry(T0 + 1000, bits(2)), Map.entry(T0 + 2000, bits(5)));
        assertThat(read(s, T0, T0 + 5000, name("c"))).isEmpty();
        assertThat(read(s, T0, T0 + 5000, name("a"))).hasSize(1);
        assertThat(s.stats().samplesDroppedAtCommit()).isEqualTo(2);
    }

    /** Batches far larger than usual, interleaving many series, then small ones: all exact. */
    @Test
    void largeInterleavedBatches_thenSmallOnes_landExactly() throws Exception {
        Storage s = open();
        int seriesCount = 97;
        int perSeries = 500;
        Appender a = s.appender();
        for (int i = 0; i < perSeries; i++) {
            for (int k = 0; k < seriesCount; k++) {
                a.append(0, series("big", "k", Integer.toString(k)), T0 + i * 1000L, k * 1_000_000.0 + i);
            }
        }
        int last = perSeries - 1;
        a.append(0, series("big", "k", "5"), T0 + last * 1000L, 5 * 1_000_000.0 + last); // same value: ignored
        assertThatThrownBy(() -> a.append(0, series("big", "k", "5"), T0 + 7 * 1000L, -1))
                .isInstanceOf(StorageException.DuplicateSample.class);
        a.commit();
        for (int round = 0; round < 3; round++) {
            appendAll(s, series("big", "k", "0"), T0 + (perSeries + round) * 1000L, -round);
        }
        var got = read(s, T0, T0 + 10_000_000L, name("big"));
        assertThat(got).hasSize(seriesCount);
        for (int k = 0; k < seriesCount; k++) {
            var samples = got.get(series("big", "k", Integer.toString(k)));
            assertThat(samples).hasSize(k == 0 ? perSeries + 3 : perSeries);
            assertThat(samples.get(T0 + 123_000L)).isEqualTo(bits(k * 1_000_000.0 + 123));
        }
        assertThat(got.get(series("big", "k", "0")).get(T0 + (perSeries + 2) * 1000L)).isEqualTo(bits(-2));
    }

    @Test
    void conflictingAppenders_laterCommitLoses_andIsCounted() throws Exception {
        Storage s = open();
        Labels m = series("m");
        appendAll(s, m, T0, 1);
        Appender first = s.appender();
        Appender second = s.appender();
        first.append(0, m, T0 + 1000, 10);
        first.append(0, m, T0 + 2000, 20);
        second.append(0, m, T0 + 1000, 99);
        second.commit();
        first.commit();
        assertThat(read(s, T0, T0 + 5000, name("m")).get(m))
                .containsExactly(Map.entry(T0, bits(1)), Map.entry(T0 + 1000, bits(99)), Map.entry(T0 + 2000, bits(20)));
        assertThat(s.stats().samplesDroppedAtCommit()).isEqualTo(1);
    }

    @Test
    void iterator_seekNeverGoesBackwards() throws Exception {
        Storage s = open();
        Labels m = series("m");
        appendAll(s, m, T0, 1, T0 + 10, 2, T0 + 20, 3, T0 + 30, 4);
        try (Querier q = s.querier(T0, T0 + 30)) {
            SeriesSet set = q.select(false, null, name("m"));
            assertThat(set.next()).isTrue();
            SampleIterator it = set.at().iterator(null);
            assertThat(it.seek(T0 + 15)).isTrue();
            assertThat(it.timestamp()).isEqualTo(T0 + 20);
            assertThat(it.seek(T0 + 5)).isTrue();
            assertThat(it.timestamp()).as("no going back").isEqualTo(T0 + 20);
            assertThat(it.next()).isTrue();
            assertThat(it.value()).isEqualTo(4);
            assertThat(it.seek(T0 + 31)).isFalse();
            assertThat(it.next()).isFalse();
            assertThat(set.next()).isFalse();
        }
    }

    @Test
    void delete_removesRangeOfMatchingSeries() throws Exception {
        Storage s = open();
        Labels a = series("m", "k", "a");
        Labels b = series("m", "k", "b");
        appendAll(s, a, T0, 1, T0 + 1000, 2, T0 + 2000, 3);
        appendAll(s, b, T0, 1, T0 + 1000, 2);
        s.delete(T0 + 500, T0 + 1500, LabelMatcher.equal("k", "a"));
        s.delete(0, Long.MAX_VALUE, LabelMatcher.equal("k", "b"));
        Map<Labels, TreeMap<Long, Long>> got = read(s, 0, Long.MAX_VALUE, name("m"));
        assertThat(got.keySet()).containsExactly(a);
        assertThat(got.get(a).keySet()).containsExactly(T0, T0 + 2000);
        try (Querier q = s.querier(0, Long.MAX_VALUE)) {
            assertThat(q.labelValues("k")).containsExactly("a");
        }
    }

    @Test
    void stats_countSeriesAndTimeRange() throws Exception {
        Storage s = open();
        assertThat(s.stats().series()).isZero();
        appendAll(s, series("a"), T0, 1, T0 + 5000, 1);
        appendAll(s, series("b"), T0 + 1000, 1);
        var st = s.stats();
        assertThat(st.series()).isEqualTo(2);
        assertThat(st.minTime()).isEqualTo(T0);
        assertThat(st.maxTime()).isEqualTo(T0 + 5000);
        assertThat(st.samplesAppended()).isEqualTo(3);
    }

    @Test
    void concurrentAppenders_onDistinctSeries_allLand() throws Exception {
        Storage s = open();
        int threads = 4;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int id = th;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i += 100) {
                        Appender a = s.appender();
                        for (int j = i; j < i + 100; j++) {
                            a.append(0, series("load", "thread", "t" + id, "n", Integer.toString(j % 50)), T0 + j, j);
                        }
                        a.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        Map<Labels, TreeMap<Long, Long>> got = read(s, 0, Long.MAX_VALUE, name("load"));
        assertThat(got).hasSize(threads * 50);
        assertThat(got.values().stream().mapToInt(TreeMap::size).sum()).isEqualTo(threads * perThread);
    }

    /**
     * Property: random batches of appends (new and existing series, in order, out of order, duplicates,
     * too old, odd values), commits, rollbacks and deletes agree with {@link StorageModel}, sample for sample.
     */
    @Test
    void randomOperations_agreeWithTheModel_seeded() throws Exception {
        for (long seed : new long[] {1, 2, 3, 20261122}) {
            for (long window : new long[] {0, 600_000}) {
                checkAgainstModel(seed, window);
            }
        }
    }

    private void checkAgainstModel(long seed, long window) throws Exception {
        StorageOptions options = StorageOptions.DEFAULTS.withOutOfOrderWindowMs(window);
        Storage s = open(options);
        StorageModel model = new StorageModel(options);
        Random r = new Random(seed);
        List<Labels> pool = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pool.add(series("metric_" + (i % 4), "instance", "host-" + (i % 7), "shard", Integer.toString(i)));
        }
        long clock = T0;
        String context = "seed " + seed + ", window " + window;
        for (int batch = 0; batch < 300; batch++) {
            Appender a = s.appender();
            int n = 1 + r.nextInt(30);
            for (int i = 0; i < n; i++) {
                Labels l = pool.get(r.nextInt(pool.size()));
                long t = switch (r.nextInt(6)) {
                    case 0 -> clock - r.nextInt(900_000);          // out of order, sometimes outside the window
                    case 1 -> clock - 3_600_000 - r.nextInt(3_600_000); // often too old
                    case 2 -> clock;                                // duplicate candidates
                    default -> clock + r.nextInt(30_000);           // in order
                };
                double v = switch (r.nextInt(8)) {
                    case 0 -> StaleNaN.VALUE;
                    case 1 -> Double.NaN;
                    case 2 -> r.nextInt(3);
                    default -> r.nextGaussian() * 1e6;
                };
                StorageModel.Outcome expected = model.append(l, t, v);
                StorageModel.Outcome got;
                try {
                    a.append(0, l, t, v);
                    got = expected == StorageModel.Outcome.IGNORED_DUPLICATE
                            ? StorageModel.Outcome.IGNORED_DUPLICATE : StorageModel.Outcome.ACCEPTED;
                } catch (StorageException.DuplicateSample e) {
                    got = StorageModel.Outcome.DUPLICATE;
                } catch (StorageException.OutOfOrderSample e) {
                    got = StorageModel.Outcome.OUT_OF_ORDER;
                } catch (StorageException.TooOldSample e) {
                    got = StorageModel.Outcome.TOO_OLD;
                }
                assertThat(got).as("%s, batch %d: append %s t=%d", context, batch, l, t).isEqualTo(expected);
                clock += r.nextInt(3) == 0 ? r.nextInt(20_000) : 0;
            }
            if (r.nextInt(10) == 0) {
                a.rollback();
                model.rollback();
            } else {
                a.commit();
                model.commit();
            }
            if (r.nextInt(50) == 0) {
                String victim = "host-" + r.nextInt(7);
                long from = clock - r.nextInt(1_800_000);
                long to = from + r.nextInt(600_000);
                s.delete(from, to, LabelMatcher.equal("instance", victim));
                model.delete(from, to, l -> l.get("instance").equals(victim));
            }
            if (batch % 50 == 49) {
                assertSameAsModel(s, model, context + ", batch " + batch, r);
            }
        }
        assertSameAsModel(s, model, context + ", end", r);
    }

    private static void assertSameAsModel(Storage s, StorageModel model, String context, Random r) throws Exception {
        long mint = T0 - 7_200_000 + r.nextInt(3_600_000);
        long maxt = Long.MAX_VALUE - 1;
        Map<Labels, TreeMap<Long, Long>> got = read(s, mint, maxt, LabelMatcher.regex(Labels.METRIC_NAME, "metric_.*"));
        Map<Labels, TreeMap<Long, Long>> expected = new java.util.TreeMap<>();
        for (Labels l : model.series()) {
            TreeMap<Long, Long> samples = model.samples(l, mint, maxt);
            if (!samples.isEmpty()) {
                expected.put(l, samples);
            }
        }
        assertThat(got.keySet()).as(context).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<Labels, TreeMap<Long, Long>> e : expected.entrySet()) {
            assertThat(got.get(e.getKey())).as("%s: %s", context, e.getKey()).isEqualTo(e.getValue());
        }
        // Narrow windows too: the newest samples alone, closed chunks alone, ranges with or without late samples.
        long lo = expected.values().stream().mapToLong(TreeMap::firstKey).min().orElse(T0);
        long hi = expected.values().stream().mapToLong(TreeMap::lastKey).max().orElse(T0);
        for (int k = 0; k < 6; k++) {
            long from = k == 0 ? hi - r.nextInt(300_000) : lo + (long) (r.nextDouble() * (hi - lo + 1));
            long to = from + r.nextInt(k % 2 == 0 ? 120_000 : 1_800_000);
            Map<Labels, TreeMap<Long, Long>> window = read(s, from, to,
                    LabelMatcher.regex(Labels.METRIC_NAME, "metric_.*"));
            for (Labels l : model.series()) {
                TreeMap<Long, Long> want = model.samples(l, from, to);
                assertThat(window.getOrDefault(l, new TreeMap<>())).as("%s: %s in [%d, %d]", context, l, from, to)
                        .isEqualTo(want);
            }
            assertThat(model.series()).as(context).containsAll(window.keySet());
        }
    }

    /** Samples read by {@code nextBatch} calls of random sizes into random offsets, with next() between. */
    private static TreeMap<Long, Long> readInBatches(SampleIterator it, Random r) {
        TreeMap<Long, Long> out = new TreeMap<>();
        long[] ts = new long[80];
        double[] vs = new double[80];
        while (true) {
            if (r.nextInt(4) == 0) {
                if (!it.next()) {
                    return out;
                }
                out.put(it.timestamp(), Double.doubleToRawLongBits(it.value()));
                continue;
            }
            int off = r.nextInt(8);
            int max = 1 + r.nextInt(r.nextBoolean() ? 8 : 70);
            int k = it.nextBatch(ts, vs, off, max);
            for (int i = 0; i < k; i++) {
                out.put(ts[off + i], Double.doubleToRawLongBits(vs[off + i]));
            }
            if (k == max) {
                assertThat(it.timestamp()).as("positioned at the last sample of a full batch")
                        .isEqualTo(ts[off + k - 1]);
            } else {
                assertThat(it.next()).as("a short batch means exhausted").isFalse();
                return out;
            }
        }
    }

    protected static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }
}
