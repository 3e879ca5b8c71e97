package io.sightline.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Admission before bodies are read: both bounds refuse with 503 and Retry-After, and free on leave. */
class IngestPipelineTest {
    static void assertRefused(HttpResponse r, String why) {
        assertThat(r).isNotNull();
        AggregatedHttpResponse a = r.aggregate().join();
        assertThat(a.status().code()).isEqualTo(503);
        assertThat(a.headers().get("retry-after")).isEqualTo("1");
        assertThat(a.contentUtf8()).contains(why);
    }

    @Test
    void bodyBudget_refusesWhatWouldExceedIt_untilBytesAreReleased() {
        IngestPipeline p = new IngestPipeline(() -> null, java.util.List::of, 1, new SimpleMeterRegistry(), 1_500);
        assertThat(p.enter(1_000)).isNull();
        assertRefused(p.enter(1_000), "too many request bytes in flight (1500 bytes at most)");
        p.leave(1_000);
        assertThat(p.enter(1_000)).isNull();
        assertThat(p.enter(-1)).as("unknown length is not charged to the budget").isNull();
    }

    @Test
    void chunkedBodies_areBoundedByTheWorkers() {
        IngestPipeline p = new IngestPipeline(() -> null, java.util.List::of, 2, new SimpleMeterRegistry(), Long.MAX_VALUE);
        assertThat(p.enter(-1)).isNull();
        assertThat(p.enter(-1)).isNull();
        assertRefused(p.enter(-1), "too many writes without Content-Length in flight");
        assertThat(p.enter(10)).as("requests with a length still pass").isNull();
        p.leave(-1);
        assertThat(p.enter(-1)).isNull();
    }

    @Test
    void inFlightCap_isWorkersPlusQueue() {
        IngestPipeline p = new IngestPipeline(() -> null, java.util.List::of, 2, new SimpleMeterRegistry(), Long.MAX_VALUE);
        for (int i = 0; i < 2 + 32; i++) {
            assertThat(p.enter(10)).as("request %d", i).isNull();
        }
        assertRefused(p.enter(10), "too many writes in flight");
        p.leave(10);
        assertThat(p.enter(10)).isNull();
    }
}
