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

    /**
     * A pooled body is released once copied, whether the request is then stored, refused because storage is
     * opening, or refused at once because the pool and its queue are full.
     */
    @Test
    void pooledBodies_areReleased_whateverBecomesOfTheRequest() throws Exception {
        java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
        IngestPipeline p = new IngestPipeline(() -> {
            try {
                opened.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }, java.util.List::of, 1, new SimpleMeterRegistry(), Long.MAX_VALUE);
        java.util.List<io.netty.buffer.ByteBuf> bodies = new java.util.ArrayList<>();
        java.util.List<java.util.concurrent.CompletableFuture<IngestPipeline.Outcome>> outcomes = new java.util.ArrayList<>();
        for (int i = 0; i < 1 + 32 + 3; i++) {
            io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.directBuffer(64).writeBytes(new byte[10 + i]);
            bodies.add(b);
            outcomes.add(p.storePooled(com.linecorp.armeria.common.HttpData.wrap(b), "test",
                    (buf, len, sink) -> { }));
        }
        for (int i = 33; i < 36; i++) {
            assertThat(outcomes.get(i)).isCompleted();
            assertThat(outcomes.get(i).join().message()).contains("too many writes in flight");
            assertThat(bodies.get(i).refCnt()).as("refused body %d", i).isZero();
        }
        opened.countDown();
        for (int i = 0; i < 33; i++) {
            assertThat(outcomes.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS).message())
                    .contains("storage is opening");
            assertThat(bodies.get(i).refCnt()).as("body %d", i).isZero();
        }
    }
}
