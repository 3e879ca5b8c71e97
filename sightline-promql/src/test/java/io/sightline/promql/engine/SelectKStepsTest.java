package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * topk, bottomk and limitk over a range query take their own path (groups found once, candidates as indexes);
 * instant queries take the general one, sample by sample. Every step of a range query must select the same series
 * with the same values as an instant query at that step: over seeded random gauges of few distinct values (ties
 * everywhere), NaN, infinities, stale markers and gaps, with and without grouping, and with a k that changes from
 * step to step (below 1, 1, more than a group holds).
 */
class SelectKStepsTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long END = T0 + 3_600_000L;
    private static final MemoryStorage STORE = new MemoryStorage(StorageOptions.DEFAULTS);

    @BeforeAll
    static void load() throws Exception {
        Random r = new Random(20261208L);
        for (long t = T0; t <= END; t += 15_000) {
            Appender a = STORE.appender();
            a.append(0, Labels.of("__name__", "k"), t, r.nextInt(22) - 1); // how many to select: -1 to 20
            for (int s = 0; s < 60; s++) {
                if ((s % 7 == 0 && (t / 600_000) % 2 == 0) || r.nextInt(20) == 0) {
                    continue; // gaps: whole stretches and single scrapes
                }
                double v = switch (r.nextInt(25)) {
                    case 0 -> Double.NaN;
                    case 1 -> Double.POSITIVE_INFINITY;
                    case 2 -> Double.NEGATIVE_INFINITY;
                    case 3 -> StaleNaN.VALUE;
                    default -> r.nextInt(4) * 0.5 - (s % 3 == 0 ? 0.0 : 0.5);
                };
                a.append(0, Labels.of("__name__", "x", "g", "g" + (s % 4), "s", "s" + s), t, v);
            }
            a.commit();
        }
    }

    private final Engine engine = new Engine(EngineOptions.defaults());

    @Test
    void eachStep_selectsAsAnInstantQuery() {
        int compared = 0;
        int selected = 0;
        for (String q : List.of("topk(3, x)", "bottomk(3, x)", "limitk(3, x)", "topk by (g) (2, x)",
                "bottomk without (s) (1, x)", "limitk by (g) (2, x)", "topk(scalar(k), x)",
                "bottomk by (g) (scalar(k), x)", "limitk(scalar(k), x)", "topk(100, x)",
                "topk by (g) (scalar(k), -x)")) {
            QueryResult.Matrix m = (QueryResult.Matrix) engine.rangeQuery(STORE, q, T0, END, 45_000).value();
            TreeMap<Long, List<String>> byStep = new TreeMap<>();
            for (QueryResult.Series s : m.series()) {
                for (int i = 0; i < s.timestamps().length; i++) {
                    byStep.computeIfAbsent(s.timestamps()[i], t -> new ArrayList<>())
                            .add(s.metric() + "=" + Double.doubleToLongBits(s.values()[i]));
                }
            }
            for (long t = T0; t <= END; t += 45_000) {
                List<String> want = new ArrayList<>();
                QueryResult.Vector v = (QueryResult.Vector) engine.instantQuery(STORE, q, t).value();
                for (QueryResult.Sample smp : v.samples()) {
                    want.add(smp.metric() + "=" + Double.doubleToLongBits(smp.v()));
                }
                want.sort(null);
                List<String> got = new ArrayList<>(byStep.getOrDefault(t, List.of()));
                got.sort(null);
                assertThat(got).as("%s at %d", q, t).isEqualTo(want);
                compared++;
                selected += want.size();
            }
        }
        assertThat(compared).isGreaterThan(800);
        assertThat(selected).isGreaterThan(5_000);
    }

    /**
     * The heaps both paths share, against sorting: at each time, topk and bottomk keep the k strongest values of
     * each group (NaN the weakest), whichever of equal values they keep, in order of strength.
     */
    @Test
    void instantSelection_keepsTheKStrongestValuesOfEachGroup_inOrder() {
        int checked = 0;
        for (long t = T0; t <= END; t += 45_000) {
            QueryResult.Vector all = (QueryResult.Vector) engine.instantQuery(STORE, "x", t).value();
            for (int k : new int[] {1, 2, 3, 7}) {
                for (boolean top : new boolean[] {true, false}) {
                    String q = (top ? "topk" : "bottomk") + " by (g) (" + k + ", x)";
                    QueryResult.Vector got = (QueryResult.Vector) engine.instantQuery(STORE, q, t).value();
                    Map<String, List<Double>> want = new TreeMap<>();
                    for (QueryResult.Sample smp : all.samples()) {
                        want.computeIfAbsent(smp.metric().get("g"), g -> new ArrayList<>()).add(smp.v());
                    }
                    Comparator<Double> strongestFirst = (a, b) -> Functions.compareForSort(a, b, top);
                    Map<String, List<Double>> kept = new TreeMap<>();
                    for (QueryResult.Sample smp : got.samples()) {
                        kept.computeIfAbsent(smp.metric().get("g"), g -> new ArrayList<>()).add(smp.v());
                    }
                    for (Map.Entry<String, List<Double>> e : want.entrySet()) {
                        List<Double> values = new ArrayList<>(e.getValue());
                        values.sort(strongestFirst);
                        List<Long> strongest = values.subList(0, Math.min(k, values.size())).stream()
                                .map(Double::doubleToLongBits).toList();
                        assertThat(kept.get(e.getKey()).stream().map(Double::doubleToLongBits).toList())
                                .as("%s at %d, group %s", q, t, e.getKey()).isEqualTo(strongest);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(2_000);
    }
}
