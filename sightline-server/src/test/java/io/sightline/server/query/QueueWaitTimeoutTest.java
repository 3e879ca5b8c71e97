package io.sightline.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.QueryParams;
import io.sightline.promql.engine.QueryException;
import io.sightline.server.config.ConfigException;
import io.sightline.server.config.ConfigLoader;
import io.sightline.server.config.SightlineConfig;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import org.junit.jupiter.api.Test;

/**
 * A query's wait for a free slot counts against its timeout, as in Prometheus (whose timeout covers the
 * query queue and the evaluation together): what the wait leaves is the evaluation's time, and a wait that
 * used it all up times the query out before it starts.
 */
class QueueWaitTimeoutTest {
    private final MemoryStorage storage = new MemoryStorage(StorageOptions.DEFAULTS);
    private final SightlineConfig config = config();
    private final QueryApi api = new QueryApi(() -> storage, () -> config, null);

    private static SightlineConfig config() {
        try {
            return ConfigLoader.parse("t.yml", "query:\n  timeout: 60s\n");
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    private static ApiParams params(String... nameValues) {
        var b = QueryParams.builder();
        for (int i = 0; i < nameValues.length; i += 2) {
            b.add(nameValues[i], nameValues[i + 1]);
        }
        return new ApiParams(b.build());
    }

    private void run(long waitedMs, String... params) {
        api.engine(params(params), Long.MAX_VALUE, waitedMs).instantQuery(storage, "1", 0);
    }

    private void timesOut(long waitedMs, String... params) {
        assertThatThrownBy(() -> run(waitedMs, params)).isInstanceOfSatisfying(QueryException.class,
                e -> assertThat(e.kind()).isEqualTo(QueryException.Kind.TIMEOUT));
    }

    @Test
    void theServersTimeout_runsFromArrival() {
        run(0);
        run(30_000); // half of it left
        timesOut(60_000);
        timesOut(65_000);
    }

    @Test
    void aRequestsOwnTimeout_runsFromArrivalToo() {
        run(10_000, "timeout", "40s");
        timesOut(40_000, "timeout", "40s");
        timesOut(45_000, "timeout", "40s");
        // Longer than the server's: the server's bounds it, wait included.
        run(30_000, "timeout", "5m");
        timesOut(61_000, "timeout", "5m");
    }

    @Test
    void furtherBound_isNotWidenedByTheWait() {
        ApiParams none = params();
        api.engine(none, 30_000, 0).instantQuery(storage, "1", 0);
        api.engine(none, 30_000, 20_000).instantQuery(storage, "1", 0); // the bound, below what the wait leaves
        assertThatThrownBy(() -> api.engine(none, 0, 0).instantQuery(storage, "1", 0))
                .as("nothing left of a panel's budget").isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> api.engine(none, 30_000, 60_000).instantQuery(storage, "1", 0))
                .as("the wait took the server's timeout, whatever the bound").isInstanceOf(QueryException.class);
    }
}
