package io.sightline.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.sightline.common.Labels;
import io.sightline.promql.engine.QueryResult;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Query answers estimated above {@link QueryApi#STREAM_ABOVE_BYTES} go out in parts as the connection takes them:
 * the same bytes as the answer written into one buffer, and the writer waits for each part to be taken instead of
 * holding the whole answer in memory.
 */
class StreamedAnswerTest {

    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        writer.shutdownNow();
    }

    /** {@code series} series of {@code points} points, values with many digits. */
    private static QueryResult matrix(int series, int points) {
        List<QueryResult.Series> out = new ArrayList<>();
        for (int s = 0; s < series; s++) {
            long[] ts = new long[points];
            double[] vs = new double[points];
            for (int i = 0; i < points; i++) {
                ts[i] = 1_796_500_000_000L + 15_000L * i;
                vs[i] = (s * 7_919 + i) / 299.987;
            }
            out.add(new QueryResult.Series(Labels.of("__name__", "m", "s", "s" + s), ts, vs));
        }
        return new QueryResult(new QueryResult.Matrix(out), null, null);
    }

    @Test
    void largeAnswer_isStreamed_asTheSameBytes() throws Exception {
        QueryResult r = matrix(40, 6_000); // 240,000 points, about 8 MB
        assertThat(ResultJson.estimatedSize(r)).isGreaterThan(QueryApi.STREAM_ABOVE_BYTES);
        byte[] whole = ResultJson.success(g -> ResultJson.queryData(g, r, false), List.of(), List.of(), 1 << 20);

        List<HttpObject> parts = new ArrayList<>();
        AggregatedHttpResponse got = QueryApi.ok(r, false, writer)
                .peekData(parts::add).aggregate().get(30, TimeUnit.SECONDS);

        assertThat(got.status()).isEqualTo(HttpStatus.OK);
        assertThat(got.contentType()).isEqualTo(MediaType.JSON_UTF_8);
        assertThat(got.content().array()).isEqualTo(whole);
        assertThat(parts).hasSizeGreaterThan(whole.length / QueryApi.STREAM_CHUNK_BYTES - 1);
        for (HttpObject p : parts) {
            assertThat(((HttpData) p).length()).isLessThanOrEqualTo(QueryApi.STREAM_CHUNK_BYTES);
        }
    }

    @Test
    void smallAnswer_isOneBuffer() throws Exception {
        QueryResult r = matrix(28, 1_441); // a 24 h range of 28 series
        assertThat(ResultJson.estimatedSize(r)).isLessThan(QueryApi.STREAM_ABOVE_BYTES);
        List<HttpObject> parts = new ArrayList<>();
        AggregatedHttpResponse got = QueryApi.ok(r, false, writer)
                .peekData(parts::add).aggregate().get(30, TimeUnit.SECONDS);
        assertThat(parts).hasSize(1);
        assertThat(got.content().array())
                .isEqualTo(ResultJson.success(g -> ResultJson.queryData(g, r, false), List.of(), List.of(), 1024));
    }

    @Test
    void streamedAnswer_waitsForTheReader() throws Exception {
        QueryResult r = matrix(40, 6_000);
        HttpResponse res = QueryApi.ok(r, false, writer);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        CountDownLatch first = new CountDownLatch(2); // the headers, then one part of the body
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        res.subscribe(new Subscriber<HttpObject>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription.set(s);
                s.request(2);
            }

            @Override
            public void onNext(HttpObject o) {
                if (o instanceof HttpData d) {
                    received.writeBytes(d.array());
                }
                first.countDown();
            }

            @Override
            public void onError(Throwable t) {
                failed.set(true);
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        });
        assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        // One part asked for, one part taken: the writer waits (it would have written the 8 MB by now otherwise).
        int afterOne = received.size();
        assertThat(afterOne).isPositive().isLessThanOrEqualTo(QueryApi.STREAM_CHUNK_BYTES);
        assertThat(done.getCount()).isEqualTo(1);
        subscription.get().request(Long.MAX_VALUE);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failed).isFalse();
        assertThat(received.toByteArray())
                .isEqualTo(ResultJson.success(g -> ResultJson.queryData(g, r, false), List.of(), List.of(), 1 << 20));
    }
}
