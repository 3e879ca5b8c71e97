package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StaleNaN;
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
 * {@code count} and {@code group} over a selector, and {@code count_over_time} and {@code present_over_time} of raw
 * samples, read the durable store's blocks for presence only (values of decimal chunks are not decoded): their
 * answers are those of the in-memory reference store, which reads every value, and those of the same aggregations
 * over an expression (whose points carry their values), over seeded random series with decimal and other values,
 * NaN, stale markers and series that stop and start again, from a compacted block and the head.
 */
class PresenceQueryTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void countAndGroup_overBlocks_answerAsTheReferenceStore_seeded() throws Exception {
        MemoryStorage reference = new MemoryStorage(StorageOptions.DEFAULTS);
        try (TsdbStorage store = TsdbStorage.open(dir, StorageOptions.DEFAULTS, Wal.Options.DEFAULTS,
                TsdbStorage.BlockOptions.DEFAULTS)) {
            Random r = new Random(20261206L);
            int seriesCount = 60;
            double[] value = new double[seriesCount];
            boolean[] stopped = new boolean[seriesCount];
            long end = T0 + 9 * H;
            long nextMaintain = T0 + 3 * H;
            for (long t = T0; t < end; t += 15_000) {
                Appender a = store.appender();
                Appender b = reference.appender();
                for (int s = 0; s < seriesCount; s++) {
                    Labels l = Labels.of("__name__", "m" + (s % 2), "instance", "i" + (s % 7), "s", "s" + s);
                    long ts = t + (s % 5) * 1_000 + (r.nextInt(30) == 0 ? r.nextInt(500) : 0);
                    if (stopped[s]) {
                        stopped[s] = r.nextInt(40) != 0;
                        continue;
                    }
                    double v;
                    if (r.nextInt(400) == 0) {
                        v = StaleNaN.VALUE; // the series goes away for a while
                        stopped[s] = true;
                    } else {
                        value[s] = switch (s % 4) {
                            case 0 -> value[s] + r.nextInt(100); // decimal counter
                            case 1 -> Math.round(r.nextGaussian() * 1000) / 100.0; // decimal gauge
                            case 2 -> r.nextInt(50) == 0 ? Double.NaN : r.nextGaussian(); // floats, NaN among them
                            default -> s % 8 == 3 ? 1 : Double.POSITIVE_INFINITY;
                        };
                        v = value[s];
                        if (Double.isNaN(v)) {
                            value[s] = 0;
                        }
                    }
                    a.append(0, l, ts, v);
                    b.append(0, l, ts, v);
                }
                a.commit();
                b.commit();
                if (t >= nextMaintain) {
                    store.maintain();
                    nextMaintain += 2 * H;
                }
            }
            store.maintain();
            assertThat(store.blocks()).as("blocks to read: 8 h of the 9, cut and compacted").isNotEmpty();

            Engine engine = new Engine(EngineOptions.defaults());
            // Each with the same query over the negated selector: an expression, not a selector, so its points come
            // with their values and are folded one by one, as any other aggregation's.
            List<String[]> queries = List.of(new String[] {"count(m0)", "count(-m0)"},
                    new String[] {"count by (instance) ({__name__=~\"m.\"})",
                        "count by (instance) (-{__name__=~\"m.\"})"},
                    new String[] {"group by (s) (m1)", "group by (s) (-m1)"},
                    new String[] {"count without (s) (m0)", "count without (s) (-m0)"},
                    new String[] {"count((m1))", "count(-(m1))"},
                    new String[] {"group({instance=\"i3\"})", "group(-{instance=\"i3\"})"},
                    new String[] {"count by (instance) (m0 offset 1h)", "count by (instance) (-m0 offset 1h)"},
                    new String[] {"count(m1 @ " + (T0 + 5 * H) / 1000 + ")",
                        "count(-m1 @ " + (T0 + 5 * H) / 1000 + ")"},
                    // Raw samples counted in windows: no expression counts them alike, so against the reference only.
                    new String[] {"count_over_time(m0[5m])", null},
                    new String[] {"present_over_time({__name__=~\"m.\", instance=\"i2\"}[2m])", null});
            for (String[] pair : queries) {
                String q = pair[0];
                for (long step : new long[] {60_000, 15_000, 7 * 60_000}) {
                    String want = ResultText.render(engine.rangeQuery(reference, q, T0 + H, end, step));
                    String got = ResultText.render(engine.rangeQuery(store, q, T0 + H, end, step));
                    assertThat(got).as("%s step %d", q, step).isEqualTo(want).contains("=");
                    if (pair[1] != null) {
                        assertThat(got).as("%s step %d", pair[1], step)
                                .isEqualTo(ResultText.render(engine.rangeQuery(store, pair[1], T0 + H, end, step)));
                    }
                }
                for (int i = 0; i < 20; i++) {
                    long t = T0 + r.nextLong(end - T0);
                    String got = ResultText.render(engine.instantQuery(store, q, t));
                    assertThat(got).as("%s at %d", q, t).isEqualTo(ResultText.render(engine.instantQuery(reference, q, t)));
                    if (pair[1] != null) {
                        assertThat(got).as("%s at %d", pair[1], t)
                                .isEqualTo(ResultText.render(engine.instantQuery(store, pair[1], t)));
                    }
                }
            }
        }
    }
}
