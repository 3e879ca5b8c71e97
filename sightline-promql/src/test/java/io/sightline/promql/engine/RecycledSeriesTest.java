package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.promql.parser.Parser;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Queryable;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.memory.MemoryStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An aggregation over a selector or a range function gets each input series in an object its producer refills for a
 * later series once the aggregation has folded it ({@link Evaluator.Folding}); anything else gets series of its own.
 * Over more series than one batch of the query workers (seeded random counters and gauges, NaN and stale markers,
 * series that start late or stop), in the reference store and in the durable one (blocks and head, whose iterators
 * are reused from series to series), both must answer as evaluating each series alone, or the same aggregation over
 * an expression (whose series are evaluated whole first, never refilled), to the bit. With one core the workers are
 * not used and a single series is refilled.
 */
class RecycledSeriesTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_700_000_000_000L;
    private static final long END = T0 + 5 * H;
    private static final long FROM = T0 + 2 * H + H / 2;
    private static final int SERIES = 700;

    @TempDir
    static Path dir;

    private static MemoryStorage reference;
    private static TsdbStorage durable;
    private final Engine engine = new Engine(EngineOptions.defaults());

    @BeforeAll
    static void load() throws Exception {
        reference = new MemoryStorage(StorageOptions.DEFAULTS);
        // Maintenance only when called: the same blocks for every query.
        TsdbStorage.BlockOptions d = TsdbStorage.BlockOptions.DEFAULTS;
        durable = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS, new TsdbStorage.BlockOptions(
                d.blockRangeMs(), d.retentionMs(), d.retentionBytes(), d.rules(), 0, d.downsampling()));
        Random r = new Random(20261207L);
        double[] counter = new double[SERIES];
        long[] from = new long[SERIES];
        long[] to = new long[SERIES];
        for (int s = 0; s < SERIES; s++) {
            from[s] = s % 9 == 0 ? T0 + r.nextLong(4 * H) : T0;
            to[s] = s % 11 == 0 ? T0 + 3 * H + r.nextLong(2 * H) : END;
        }
        long nextMaintain = T0 + 3 * H;
        for (long t = T0; t < END; t += 15_000) {
            Appender a = reference.appender();
            Appender b = durable.appender();
            for (int s = 0; s < SERIES; s++) {
                if (t < from[s] || t > to[s]) {
                    continue;
                }
                long ts = t + (s % 13) * 100;
                counter[s] = r.nextInt(500) == 0 ? r.nextInt(10) : counter[s] + r.nextInt(1000) / 10.0;
                double gauge = r.nextInt(300) == 0 ? StaleNaN.VALUE
                        : r.nextInt(200) == 0 ? Double.NaN : r.nextGaussian() * 100;
                for (Appender x : List.of(a, b)) {
                    x.append(0, Labels.of("__name__", "c", "g", "g" + (s % 6), "s", "s" + s), ts, counter[s]);
                    x.append(0, Labels.of("__name__", "v", "g", "g" + (s % 6), "s", "s" + s), ts, gauge);
                }
            }
            a.commit();
            b.commit();
            if (t >= nextMaintain) {
                durable.maintain();
                nextMaintain += H;
            }
        }
        assertThat(durable.blocks()).as("queries read blocks and the head").isNotEmpty();
    }

    @AfterAll
    static void close() throws Exception {
        durable.close();
    }

    static Stream<String> stores() {
        return Stream.of("reference", "durable");
    }

    private static Queryable store(String name) {
        return name.equals("reference") ? reference : durable;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void seriesKeptByTheirConsumer_areTheirOwn_asEachSeriesAlone(String name) {
        Queryable store = store(name);
        for (String fn : List.of("rate(c[5m])", "avg_over_time(v[10m])", "v")) {
            List<String> all = List.of(render(engine.rangeQuery(store, fn, FROM, END, 60_000)).split("\n"));
            assertThat(all).as(fn).hasSizeGreaterThan(600);
            List<String> alone = new ArrayList<>();
            for (int s = 0; s < SERIES; s += 3) {
                String one = fn.replaceFirst("([cv])(\\[|$)", "$1{s=\"s" + s + "\"}$2");
                String got = render(engine.rangeQuery(store, one, FROM, END, 60_000));
                if (!got.isEmpty()) {
                    alone.add(got);
                }
            }
            assertThat(alone).as(fn).hasSizeGreaterThan(200);
            assertThat(all).as(fn).containsAll(alone);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void foldedSeries_answerAsTheSameAggregationOverAnExpression(String name) {
        Queryable store = store(name);
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
                String want = render(engine.rangeQuery(store, p[1], FROM, END, step));
                assertThat(want).as(p[1]).contains("=");
                assertThat(render(engine.rangeQuery(store, p[0], FROM, END, step)))
                        .as("%s step %d", p[0], step).isEqualTo(want);
            }
        }
    }

    /** The objects themselves: a folding consumer gets one batch of them again and again, any other a new one each. */
    @ParameterizedTest
    @MethodSource("stores")
    void foldingConsumers_getRefilledObjects_othersNewOnes(String name) {
        for (String q : List.of("rate(c[5m])", "v")) {
            for (boolean folding : new boolean[] {true, false}) {
                QueryContext ctx = new QueryContext(store(name), EngineOptions.defaults(), new Annotations(q),
                        FROM, END, 60_000);
                Evaluator ev = new Evaluator(ctx, FROM, END, 60_000);
                Set<EvalSeries> objects = Collections.newSetFromMap(new IdentityHashMap<>());
                int[] seen = {0};
                java.util.function.Consumer<EvalSeries> count = s -> {
                    objects.add(s);
                    seen[0]++;
                };
                ev.stream(Parser.parse(q), false, folding ? (Evaluator.Folding) count::accept : count);
                assertThat(seen[0]).as(q).isGreaterThan(600);
                if (folding) {
                    assertThat(objects).as(q).hasSizeLessThanOrEqualTo(QueryWorkers.PARALLELISM > 1 ? 256 : 1);
                } else {
                    assertThat(objects).as(q).hasSize(seen[0]);
                }
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
