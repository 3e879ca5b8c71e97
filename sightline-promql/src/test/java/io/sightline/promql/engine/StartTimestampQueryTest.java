package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StartTimes;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.memory.MemoryStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start timestamps through the engine as an instant and as a range query (the corpus's start_timestamps.test runs
 * them as range queries): a restart its values hide (5, 5, then 7, 7 from a new start) is a reset.
 */
class StartTimestampQueryTest {

    private static final long T = 1_000_000_000L;

    /** Samples and their start times, each in a memory store. */
    private static Storage inMemoryPair() {
        return StartTimes.storage(new MemoryStorage(StorageOptions.DEFAULTS), new MemoryStorage(StorageOptions.DEFAULTS));
    }

    private static double instant(Engine e, Storage s, String q, long t) {
        QueryResult.Vector v = (QueryResult.Vector) e.instantQuery(s, q, t).value();
        assertThat(v.samples()).as(q).hasSize(1);
        return v.samples().get(0).v();
    }

    @Test
    void aRestartTheValuesHide_instantAndRange() throws Exception {
        try (Storage s = inMemoryPair()) {
            Labels l = Labels.of("__name__", "jobs_done_total");
            Appender app = s.appender();
            app.append(0, l, T - 100, T, 5);
            app.append(0, l, T - 100, T + 10, 5);
            app.append(0, l, T + 40, T + 50, 7);
            app.append(0, l, T + 40, T + 60, 7);
            app.commit();
            Engine e = new Engine(EngineOptions.defaults());
            assertThat(instant(e, s, "resets(jobs_done_total[1m])", T + 61)).isEqualTo(1);
            assertThat(instant(e, s, "start_timestamp(jobs_done_total)", T + 61)).isEqualTo((T + 40) / 1000.0);
            // 5 from the first start and 7 from the second, the first start inside the range: no extrapolation
            // to the left, and to the right by the 1 ms left to the range's end.
            assertThat(instant(e, s, "increase(jobs_done_total[1m])", T + 61)).isEqualTo(12 * (161.0 / 160));
            assertThat(instant(e, s, "irate(jobs_done_total[1m])", T + 61)).isEqualTo(0);
            QueryResult.Matrix m = (QueryResult.Matrix) e.rangeQuery(s, "resets(jobs_done_total[1m])", T + 61,
                    T + 61 + 60_000, 60_000).value();
            assertThat(m.series()).hasSize(1);
            assertThat(m.series().get(0).values()).containsExactly(1);
        }
    }

    @TempDir
    Path tmp;

    /**
     * start_timestamp(): each step's sample's start time, 0 where the sample has none, nothing past the lookback, the
     * same through parentheses, nothing for an expression.
     */
    @Test
    void startTimestamp_ofASelectorOnly() throws Exception {
        try (Storage s = inMemoryPair()) {
            Labels l = Labels.of("__name__", "c_total");
            Appender app = s.appender();
            app.append(0, l, T - 5_000, T, 1);
            app.append(0, l, T + 60_000, 2);
            app.append(0, l, T + 100_000, T + 120_000, 3);
            app.commit();
            Engine e = new Engine(EngineOptions.defaults());
            for (String q : List.of("start_timestamp(c_total)", "start_timestamp((c_total))")) {
                QueryResult.Matrix m = (QueryResult.Matrix) e.rangeQuery(s, q, T, T + 600_000, 60_000).value();
                assertThat(m.series()).as(q).hasSize(1);
                assertThat(m.series().get(0).metric().metricName()).as(q).isEmpty();
                assertThat(m.series().get(0).values()).as(q).containsExactly((T - 5_000) / 1000.0, 0,
                        (T + 100_000) / 1000.0, (T + 100_000) / 1000.0, (T + 100_000) / 1000.0,
                        (T + 100_000) / 1000.0, (T + 100_000) / 1000.0);
            }
            assertThat(((QueryResult.Matrix) e.rangeQuery(s, "start_timestamp(c_total * 1)", T, T + 600_000, 60_000)
                    .value()).series()).isEmpty();
        }
    }

    /**
     * Counters with restarts, some hidden from the values, some of unknown start, and deltas, with start times;
     * written in time order across the series, as scrapes arrive.
     */
    private static void load(Storage s, Random r) throws Exception {
        int series = 40;
        long[] start = new long[series];
        double[] v = new double[series];
        long[] prevT = new long[series];
        for (int k = 0; k < series; k++) {
            start[k] = T - 1 - r.nextInt(100_000);
            prevT[k] = T - 15_000;
        }
        Appender app = s.appender();
        for (int i = 0; i < 600; i++) {
            for (int k = 0; k < series; k++) {
                Labels l = Labels.of("__name__", "c_total", "k", Integer.toString(k));
                long t = T + i * 15_000L + r.nextInt(200);
                if (k % 4 == 3) { // a delta series: each sample counts since the one before
                    v[k] = 1 + r.nextInt(10);
                    start[k] = prevT[k];
                } else if (r.nextInt(40) == 0) { // restarted between the samples, maybe already past the old value
                    start[k] = prevT[k] + 1 + r.nextInt((int) (t - prevT[k] - 1));
                    v[k] = r.nextInt(3) == 0 ? v[k] + r.nextInt(50) : r.nextInt(20);
                } else {
                    v[k] += r.nextInt(30);
                }
                long st = k % 5 == 4 && r.nextBoolean() ? 0 : start[k];
                app.append(0, l, st, t, v[k]);
                prevT[k] = t;
            }
        }
        app.commit();
    }

    /**
     * The durable store and the in-memory pair give the same answers, bit for bit, for the functions that read start
     * times, as range queries long enough to run on the query workers and as instant queries; and start times do
     * change them (the same data without start times answers otherwise).
     */
    @Test
    void durableAndInMemoryStores_giveTheSameAnswers() throws Exception {
        StorageOptions o = StorageOptions.DEFAULTS;
        try (Storage mem = inMemoryPair();
                Storage plain = new MemoryStorage(o);
                TsdbStorage tsdb = TsdbStorage.open(tmp.resolve("d"), o, Wal.Options.DEFAULTS,
                        new TsdbStorage.BlockOptions(2 * 3_600_000L, 0, 0))) {
            load(mem, new Random(42));
            load(tsdb, new Random(42));
            load(plain, new Random(42));
            tsdb.maintain(); // some in blocks, the rest in the head
            Engine e = new Engine(EngineOptions.defaults());
            long end = T + 600 * 15_000L;
            int differs = 0;
            for (String q : List.of("rate(c_total[5m])", "increase(c_total[2m])", "irate(c_total[1m])",
                    "resets(c_total[30m])", "start_timestamp(c_total)", "sum(rate(c_total[5m]))",
                    "increase(c_total[10m:1m])")) {
                String want = ResultText.render(e.rangeQuery(mem, q, T, end, 60_000));
                assertThat(ResultText.render(e.rangeQuery(tsdb, q, T, end, 60_000))).as(q).isEqualTo(want);
                if (!want.equals(ResultText.render(e.rangeQuery(plain, q, T, end, 60_000)))) {
                    differs++;
                }
                for (long t = T + 200_000; t < end; t += 1_234_567) {
                    assertThat(ResultText.render(e.instantQuery(tsdb, q, t))).as("%s at %d", q, t)
                            .isEqualTo(ResultText.render(e.instantQuery(mem, q, t)));
                }
            }
            assertThat(differs).as("queries whose answers start times change").isGreaterThanOrEqualTo(5);
        }
    }
}
