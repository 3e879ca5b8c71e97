package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An aggregation over a selector or a range function gets each input series in an object its producer refills for a
 * later series once the aggregation has folded it ({@link Evaluator.Folding}); anything else gets series of its own.
 * Over more series than one batch of the query workers (seeded random counters and gauges, NaN and stale markers,
 * series that start late or stop), both must answer as evaluating each series alone, or the same aggregation over an
 * expression (whose series are evaluated whole first, never refilled), to the bit.
 */
class RecycledSeriesTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_700_000_000_000L;
    private static final long END = T0 + 3 * H;
    private static final int SERIES = 700;

    private static MemoryStorage store;
    private final Engine engine = new Engine(EngineOptions.defaults());

    @BeforeAll
    static void load() throws Exception {
        store = new MemoryStorage(StorageOptions.DEFAULTS);
        Random r = new Random(20261207L);
        double[] counter = new double[SERIES];
        long[] from = new long[SERIES];
        long[] to = new long[SERIES];
        for (int s = 0; s < SERIES; s++) {
            from[s] = s % 9 == 0 ? T0 + r.nextLong(2 * H) : T0;
            to[s] = s % 11 == 0 ? T0 + H + r.nextLong(2 * H) : END;
        }
        for (long t = T0; t < END; t += 15_000) {
            Appender a = store.appender();
            for (int s = 0; s < SERIES; s++) {
                if (t < from[s] || t > to[s]) {
                    continue;
                }
                long ts = t + (s % 13) * 100;
                counter[s] = r.nextInt(500) == 0 ? r.nextInt(10) : counter[s] + r.nextInt(1000) / 10.0;
                a.append(0, Labels.of("__name__", "c", "g", "g" + (s % 6), "s", "s" + s), ts, counter[s]);
                double gauge = r.nextInt(300) == 0 ? StaleNaN.VALUE
                        : r.nextInt(200) == 0 ? Double.NaN : r.nextGaussian() * 100;
                a.append(0, Labels.of("__name__", "v", "g", "g" + (s % 6), "s", "s" + s), ts, gauge);
            }
            a.commit();
        }
    }

    @Test
    void seriesKeptByTheirConsumer_areTheirOwn_asEachSeriesAlone() {
        for (String fn : List.of("rate(c[5m])", "avg_over_time(v[10m])", "v")) {
            String all = render(engine.rangeQuery(store, fn, T0 + H / 2, END, 60_000));
            List<String> alone = new ArrayList<>();
            for (int s = 0; s < SERIES; s++) {
                String one = fn.replaceFirst("([cv])(\\[|$)", "$1{s=\"s" + s + "\"}$2");
                String got = render(engine.rangeQuery(store, one, T0 + H / 2, END, 60_000));
                if (!got.isEmpty()) {
                    alone.add(got);
                }
            }
            alone.sort(null);
            assertThat(all.split("\n")).as(fn).hasSizeGreaterThan(600);
            assertThat(all).as(fn).isEqualTo(String.join("\n", alone));
        }
    }

    @Test
    void foldedSeries_answerAsTheSameAggregationOverAnExpression() {
        List<String[]> pairs = List.of(
                new String[] {"sum by (g) (rate(c[5m]))", "sum by (g) (rate(c[5m]) + 0)"},
                new String[] {"sum(increase(c[3m]))", "sum(increase(c[3m]) + 0)"},
                new String[] {"avg by (g) (avg_over_time(v[10m]))", "avg by (g) (avg_over_time(v[10m]) + 0)"},
                new String[] {"max by (g) (v)", "max by (g) (v + 0)"},
                new String[] {"min(v)", "min(v + 0)"},
                new String[] {"stddev by (g) (v)", "stddev by (g) (v + 0)"},
                new String[] {"count by (g) (v)", "count by (g) (v + 0)"},
                new String[] {"group by (g) (c)", "group by (g) (c + 0)"});
        for (String[] p : pairs) {
            for (long step : new long[] {60_000, 15_000}) {
                String want = render(engine.rangeQuery(store, p[1], T0 + H / 2, END, step));
                assertThat(want).as(p[1]).contains("=");
                assertThat(render(engine.rangeQuery(store, p[0], T0 + H / 2, END, step)))
                        .as("%s step %d", p[0], step).isEqualTo(want);
            }
        }
    }

    /** Labels, times and value bits of a range result, a line per series, in label order. */
    private static String render(QueryResult r) {
        List<String> lines = new ArrayList<>();
        for (QueryResult.Series s : ((QueryResult.Matrix) r.value()).series()) {
            StringBuilder b = new StringBuilder().append(s.metric());
            for (int i = 0; i < s.timestamps().length; i++) {
                b.append(' ').append(s.timestamps()[i]).append('=').append(Double.doubleToLongBits(s.values()[i]));
            }
            lines.add(b.toString());
        }
        lines.sort(null);
        return String.join("\n", lines);
    }
}
