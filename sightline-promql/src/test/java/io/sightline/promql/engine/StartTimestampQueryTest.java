package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StartTimes;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import org.junit.jupiter.api.Test;

/**
 * Start timestamps through the engine as an instant and as a range query (the corpus's start_timestamps.test runs
 * them as range queries): a restart its values hide (5, 5, then 7, 7 from a new start) is a reset.
 */
class StartTimestampQueryTest {

    private static final long T = 1_000_000_000L;

    private static double instant(Engine e, Storage s, String q, long t) {
        QueryResult.Vector v = (QueryResult.Vector) e.instantQuery(s, q, t).value();
        assertThat(v.samples()).as(q).hasSize(1);
        return v.samples().get(0).v();
    }

    @Test
    void aRestartTheValuesHide_instantAndRange() throws Exception {
        StorageOptions o = StorageOptions.DEFAULTS;
        try (Storage s = StartTimes.storage(new MemoryStorage(o), new MemoryStorage(o))) {
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
}
