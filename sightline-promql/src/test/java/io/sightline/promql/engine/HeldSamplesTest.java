package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The samples a query holds count against its limit (Prometheus's {@code --query.max-samples}) wherever they pile
 * up, so that a query too large for the memory fails with Prometheus's error instead of exhausting the heap: here an
 * instant query of a range vector, whose answer holds every point of every series' window.
 */
class HeldSamplesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final MemoryStorage STORE = new MemoryStorage(StorageOptions.DEFAULTS);

    @BeforeAll
    static void load() throws Exception {
        for (int i = 0; i < 60; i++) {
            Appender a = STORE.appender();
            for (int s = 0; s < 10; s++) {
                a.append(0, Labels.of("__name__", "x", "s", "s" + s), T0 + 15_000L * i, i);
            }
            a.commit();
        }
    }

    private static Engine engine(long maxSamples) {
        return new Engine(new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(1), maxSamples, 0,
                Duration.ofMinutes(1)));
    }

    @Test
    void rangeVectorAtAnInstant_countsAllItsPoints() {
        long at = T0 + 15_000L * 59;
        // Ten series of 40 points each in the window: 400 held, however few each series has.
        QueryResult r = engine(400).instantQuery(STORE, "x[10m]", at);
        assertThat(((QueryResult.Matrix) r.value()).series()).hasSize(10);
        assertThatThrownBy(() -> engine(399).instantQuery(STORE, "x[10m]", at))
                .isInstanceOfSatisfying(QueryException.class, e -> assertThat(e.kind())
                        .isEqualTo(QueryException.Kind.TOO_LARGE))
                .hasMessage("query processing would load too many samples into memory in query execution");
    }
}
