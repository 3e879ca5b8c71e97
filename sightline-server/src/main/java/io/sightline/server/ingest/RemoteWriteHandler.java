package io.sightline.server.ingest;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.remotewrite.RemoteWriteDecoder;
import io.sightline.server.http.ApiErrors;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/write}: Prometheus remote_write 1.0. Answers as Prometheus does, so senders retry
 * exactly what is worth retrying: 204 when every sample was stored; 400 when the request is malformed
 * (nothing stored) or some samples were refused (the rest stored, the body says which and why); 415 for
 * an encoding it does not speak; 503 with {@code Retry-After} while storage opens or when too many
 * writes are in flight, so load never queues without bound.
 *
 * <p>Decoding and committing run on a small pool of its own (not Armeria's blocking pool of up to 200
 * threads): on a 2-core host more threads only add memory (stacks, per-thread buffers) and contention.
 */
public final class RemoteWriteHandler implements HttpService {
    private static final int MAX_REPORTED_ERRORS = 5;
    /** Requests that may wait for a worker; beyond them a sender gets 503 and retries later. */
    private static final int QUEUED_REQUESTS = 32;

    private final Supplier<Storage> storage;
    private final LongSupplier maxBodyBytes;
    private final ThreadPoolExecutor workers;
    private final Counter samplesReceived;
    private final MeterRegistry registry;

    /**
     * @param storage the store, or null while it opens
     * @param maxConcurrent writes decoded and committed at once; 32 more may wait, the rest get 503
     */
    public RemoteWriteHandler(Supplier<Storage> storage, LongSupplier maxBodyBytes, int maxConcurrent, MeterRegistry registry) {
        this.storage = storage;
        this.maxBodyBytes = maxBodyBytes;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
                    Thread t = new Thread(r, "ingest-remote-write-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.workers.allowCoreThreadTimeOut(true);
        this.registry = registry;
        this.samplesReceived = Counter.builder("sightline.ingest.samples")
                .description("Samples stored, by protocol.").tag("protocol", "remote_write").register(registry);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (type.contains("io.prometheus.write.v2.Request")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "remote write 2.0 (io.prometheus.write.v2.Request) is not supported yet;"
                            + " send remote write 1.0 (protobuf_message: prometheus.WriteRequest)");
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "snappy");
        if (!encoding.equalsIgnoreCase("snappy")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported Content-Encoding \"" + encoding + "\": remote write bodies are snappy-compressed");
        }
        return HttpResponse.of(req.aggregate().thenCompose(agg -> {
            try {
                return CompletableFuture.supplyAsync(() -> handle(agg), workers);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.completedFuture(retryLater(1, "too many writes in flight; retry shortly"));
            }
        }));
    }

    private HttpResponse handle(AggregatedHttpRequest req) {
        Storage s = storage.get();
        if (s == null) {
            return retryLater(5, "storage is opening (replaying its write-ahead log); retry shortly");
        }
        return store(s, req.content().array());
    }

    private HttpResponse store(Storage s, byte[] body) {
        Appender appender = s.appender();
        AppendingSink sink = new AppendingSink(appender);
        try {
            new RemoteWriteDecoder(maxBodyBytes.getAsLong()).decodeSnappy(body, sink);
        } catch (MalformedRequestException e) {
            appender.rollback();
            return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", e.getMessage());
        }
        try {
            appender.commit();
        } catch (StorageException e) {
            return retryLater(5, "cannot store the samples now: " + e.getMessage());
        }
        samplesReceived.increment(sink.accepted);
        if (sink.rejected == 0) {
            return HttpResponse.of(HttpStatus.NO_CONTENT);
        }
        return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", "stored " + sink.accepted + " samples, refused "
                + sink.rejected + ": " + String.join("; ", sink.errors)
                + (sink.rejected > sink.errors.size() ? "; ..." : ""));
    }

    private static HttpResponse retryLater(int seconds, String message) {
        return ApiErrors.aggregatedWithHeader(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", message,
                HttpHeaderNames.RETRY_AFTER, Integer.toString(seconds)).toHttpResponse();
    }

    /** Appends every decoded sample, keeping the first few refusals to report. */
    private final class AppendingSink implements SeriesSink {
        final Appender appender;
        final List<String> errors = new ArrayList<>();
        long accepted;
        long rejected;

        AppendingSink(Appender appender) {
            this.appender = appender;
        }

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, int count) {
            long ref = 0;
            for (int i = 0; i < count; i++) {
                try {
                    ref = appender.append(ref, labels, timestamps[i], values[i]);
                    accepted++;
                } catch (StorageException.SampleRejected e) {
                    refuse(e.getMessage(), reason(e), 1);
                }
            }
        }

        @Override
        public void invalid(String series, String reason, int samples) {
            refuse("series " + series + ": " + reason, "invalid_series", samples);
        }

        private void refuse(String message, String reason, int samples) {
            rejected += samples;
            if (errors.size() < MAX_REPORTED_ERRORS) {
                errors.add(message);
            }
            Counter.builder("sightline.ingest.samples.rejected")
                    .description("Samples refused, by protocol and reason.")
                    .tag("protocol", "remote_write").tag("reason", reason)
                    .register(registry).increment(samples);
        }
    }

    private static String reason(StorageException.SampleRejected e) {
        if (e instanceof StorageException.LimitExceeded l) {
            return l.limit();
        }
        String name = e.getClass().getSimpleName();
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c) && sb.length() > 0) {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
