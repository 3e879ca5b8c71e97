package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PromQL over a store whose raw samples are kept 2 days and hourly rollups 10: range queries with an
 * hourly step read the rollups, and at steps on the hour give the answers the raw samples would have,
 * for all six days; with {@code max_source_resolution} 0, only the raw days answer.
 */
class DownsampledQueryTest {
    private static final long H = 3_600_000L;
    private static final long DAY = 24 * H;
    private static final long T0 = 20_400 * DAY;
    private static final long END = T0 + 6 * DAY;

    @TempDir
    Path dir;

    private TsdbStorage store;
    private final TreeMap<Long, Double> gauge = new TreeMap<>();

    @BeforeEach
    void ingest() throws Exception {
        store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(2 * H,
                2 * DAY, 0, List.of(), 0, new TsdbStorage.Downsampling(true, 6 * H, 4 * DAY, 10 * DAY)));
        Random r = new Random(11);
        double walk = 500;
        long nextMaintain = T0 + 2 * H;
        for (long t = T0 + 7_000; t < END; t += 60_000) {
            Appender a = store.appender();
            a.append(0, Labels.of("__name__", "c"), t, t / 1000.0);
            // A counter reset at half past an hour twice: in the rolled-up blocks and in the last hours.
            long since = t >= END - 3 * H - 30 * 60_000 ? END - 3 * H - 30 * 60_000
                    : t >= END - 13 * H - 30 * 60_000 ? END - 13 * H - 30 * 60_000 : T0;
            a.append(0, Labels.of("__name__", "r"), t, (t - since) / 1000.0);
            walk += Math.round(r.nextGaussian() * 40) / 4.0;
            a.append(0, Labels.of("__name__", "g"), t, walk);
            gauge.put(t, walk);
            a.commit();
            if (t >= nextMaintain) {
                store.maintain();
                nextMaintain += 2 * H;
            }
        }
        store.maintain();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private static QueryResult.Series only(QueryResult r) {
        List<QueryResult.Series> s = ((QueryResult.Matrix) r.value()).series();
        assertThat(s).hasSize(1);
        return s.get(0);
    }

    private QueryResult range(String q, long maxSourceResolution) {
        Engine e = new Engine(new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(1), 0, 0, Duration.ZERO,
                maxSourceResolution));
        return e.rangeQuery(store, q, T0 + 2 * H, END - H, H);
    }

    /** The raw samples in {@code (t - range, t]}. */
    private List<Double> window(long t, long range) {
        return new ArrayList<>(gauge.subMap(t - range, false, t, true).values());
    }

    @Test
    void hourlySteps_overSixDays_readRollupsAndAgreeWithTheRawSamples() {
        QueryResult.Series max = only(range("max_over_time(g[1h])", EngineOptions.AUTO));
        QueryResult.Series count = only(range("count_over_time(g[1h])", EngineOptions.AUTO));
        QueryResult.Series avg = only(range("avg_over_time(g[1h])", EngineOptions.AUTO));
        QueryResult.Series last = only(range("g", EngineOptions.AUTO));
        int steps = (int) ((END - H - (T0 + 2 * H)) / H) + 1;
        assertThat(max.timestamps()).hasSize(steps);
        assertThat(count.timestamps()).hasSize(steps);
        assertThat(last.timestamps()).as("a rollup an hour wide is looked up over its hour").hasSize(steps);
        for (int i = 0; i < steps; i++) {
            long t = max.timestamps()[i];
            List<Double> w = window(t, H);
            assertThat(max.values()[i]).as("max at " + t).isEqualTo(w.stream().mapToDouble(x -> x).max().getAsDouble());
            assertThat(count.values()[i]).as("count at " + t).isEqualTo(60.0);
            assertThat(avg.values()[i]).as("avg at " + t)
                    .isCloseTo(w.stream().mapToDouble(x -> x).average().getAsDouble(), within(1e-9));
            assertThat(last.values()[i]).as("value at " + t).isEqualTo(gauge.floorEntry(t).getValue());
        }
        // Half-way through the hours: the last complete hour's last value, 30 minutes back (beyond the
        // 5 minute lookback: a series of hourly rollups is looked up over an hour).
        Engine e = new Engine(EngineOptions.defaults());
        QueryResult.Series offHour = only(e.rangeQuery(store, "g", T0 + 2 * H + 30 * 60_000, END - H, H));
        assertThat(offHour.timestamps()).hasSize(steps - 1);
        for (int i = 0; i < offHour.timestamps().length; i++) {
            long t = offHour.timestamps()[i];
            boolean rolledUp = t < END - 2 * DAY;
            double raw = gauge.floorEntry(t).getValue();
            double hourly = gauge.floorEntry(Math.floorDiv(t, H) * H).getValue();
            if (rolledUp) {
                assertThat(offHour.values()[i]).as("value at " + t).isEqualTo(hourly);
            } else {
                assertThat(offHour.values()[i]).as("value at " + t).isIn(raw, hourly);
            }
        }
        // The counter grows by exactly 1 a second: its rate from hourly last values is 1 too.
        QueryResult.Series rate = only(range("rate(c[2h])", EngineOptions.AUTO));
        assertThat(rate.timestamps()).hasSize(steps);
        for (double v : rate.values()) {
            assertThat(v).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void anInstantQueryOverDays_readsRollupsUpToItsOwnTime() {
        // Half an hour into the last hour: the rollups end with the open window, stamped at the query's
        // time, so its 30 samples count too; the range starts on the hour, so the windows match it.
        long t = END - 30 * 60_000;
        long range = 2 * DAY + 30 * 60_000;
        QueryResult r = new Engine(EngineOptions.defaults()).instantQuery(store,
                "count_over_time(g[" + range / 60_000 + "m])", t);
        List<QueryResult.Sample> v = ((QueryResult.Vector) r.value()).samples();
        assertThat(v).hasSize(1);
        assertThat(v.get(0).v()).isEqualTo(window(t, range).size());
    }

    @Test
    void ratesOverRollups_countTheIncreaseBeforeAReset() {
        // Where raw samples exist (the last two days), the hourly rollups' increase matches theirs,
        // at the windows with a reset too (reading the last values alone would lose half an hour there).
        QueryResult.Series rolled = only(range("increase(r[2h])", EngineOptions.AUTO));
        QueryResult.Series raw = only(range("increase(r[2h])", 0));
        java.util.Map<Long, Double> byTime = new java.util.HashMap<>();
        for (int i = 0; i < rolled.timestamps().length; i++) {
            byTime.put(rolled.timestamps()[i], rolled.values()[i]);
        }
        assertThat(raw.timestamps().length).isGreaterThan(40);
        for (int i = 0; i < raw.timestamps().length; i++) {
            long t = raw.timestamps()[i];
            if (t < END - 2 * DAY + 2 * H) {
                continue; // the raw range is cut by retention there
            }
            assertThat(byTime.get(t)).as("increase at " + t).isCloseTo(raw.values()[i],
                    within(raw.values()[i] * 0.02));
        }
    }

    @Test
    void countAndGroup_overRollupsAndRawDays_pointWhereTheSeriesDoes() {
        // count and group read for presence only: over the hourly rollups and the raw days alike, one point
        // wherever the series itself has one, and the same as over an expression that carries the values.
        for (long maxSourceResolution : new long[] {EngineOptions.AUTO, 0}) {
            QueryResult.Series last = only(range("g", maxSourceResolution));
            QueryResult.Series count = only(range("count({__name__=~\"g|c\"})", maxSourceResolution));
            QueryResult.Series group = only(range("group({__name__=~\"g|c\"})", maxSourceResolution));
            QueryResult.Series negated = only(range("count(-{__name__=~\"g|c\"})", maxSourceResolution));
            assertThat(count.timestamps()).isEqualTo(last.timestamps()).isEqualTo(group.timestamps())
                    .isEqualTo(negated.timestamps()).isNotEmpty();
            assertThat(count.values()).containsOnly(2.0).isEqualTo(negated.values());
            assertThat(group.values()).containsOnly(1.0);
        }
    }

    @Test
    void withoutRollups_onlyTheRawDaysAnswer() {
        long rawFrom = END - 2 * DAY - 2 * H;
        for (QueryResult r : List.of(range("max_over_time(g[1h])", 0), range("g", 0), range("rate(c[5m])",
                EngineOptions.AUTO))) {
            QueryResult.Series s = only(r);
            assertThat(s.timestamps()[0]).isGreaterThan(rawFrom);
        }
        // Raw samples answer a narrow rate as before.
        QueryResult.Series rate = only(range("rate(c[5m])", EngineOptions.AUTO));
        for (double v : rate.values()) {
            assertThat(v).isCloseTo(1.0, within(1e-9));
        }
    }
}
