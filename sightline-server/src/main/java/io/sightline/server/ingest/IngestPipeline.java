package io.sightline.server.ingest;

import io.sightline.common.relabel.RelabelConfig;
import io.sightline.common.relabel.Relabeler;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.AggregationOptions;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.buffer.ByteBuf;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
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
import java.util.function.Supplier;

/**
 * What every push protocol shares once its body is in memory: a small pool of its own that decodes and
 * commits (a bounded queue; when full, 503 with {@code Retry-After}), the appending of decoded series to
 * one appender, and Prometheus's status semantics: 204 when every sample was stored; 400 when the body
 * is malformed (nothing stored) or some samples were refused (the rest stored, the body says which and
 * why); 503 while storage opens or cannot write.
 *
 * <p>The pool is not Armeria's blocking pool of up to 200 threads: on a 2-core host more threads only
 * add memory (stacks, per-thread buffers) and contention.
 */
public final class IngestPipeline {
    private static final int MAX_REPORTED_ERRORS = 5;
    /** Requests that may wait for a worker; beyond them a sender gets 503 and retries later. */
    private static final int QUEUED_REQUESTS = 32;

    /** Decodes one request body into a sink; must not store anything itself. */
    @FunctionalInterface
    public interface Decoder {
        void decode(byte[] body, SeriesSink sink) throws MalformedRequestException;
    }

    /**
     * Decodes the request body in {@code buf[0, length)} into a sink: a buffer the worker thread reuses for
     * request after request, so the decoder keeps nothing that refers to it once it returns.
     */
    @FunctionalInterface
    public interface BufferDecoder {
        void decode(byte[] buf, int length, SeriesSink sink) throws MalformedRequestException;
    }

    /**
     * Largest body buffer a worker keeps for the next request. Copying each body out of Netty's buffers
     * into a fresh array was a sixth of what ingest allocated.
     */
    static final int MAX_KEPT_BODY_BUFFER = 8 << 20;

    private static final ThreadLocal<byte[]> BODY_BUFFER = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    private final Supplier<Storage> storage;
    private final Supplier<List<RelabelConfig>> relabel;
    private final java.util.function.LongSupplier seriesPerRequest;
    private final ThreadPoolExecutor workers;
    private final MeterRegistry registry;
    private final int maxInFlight;
    private final long bodyBudget;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger unknownLengthInFlight = new AtomicInteger();
    private final int maxUnknownLength;
    private final java.util.concurrent.atomic.AtomicLong bodyBytes = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param storage the store, or null while it opens
     * @param workers bodies decoded and committed at once; 32 more may wait, the rest get 503
     */
    public IngestPipeline(Supplier<Storage> storage, int workers, MeterRegistry registry) {
        this(storage, List::of, workers, registry, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * @param relabel the {@code ingest.relabel_configs} in force, read at each request
     */
    public IngestPipeline(Supplier<Storage> storage, Supplier<List<RelabelConfig>> relabel, int workers,
            MeterRegistry registry) {
        this(storage, relabel, workers, registry, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * @param seriesPerRequest {@code limits.max_series_per_request} in force, read at each request; 0: no limit
     */
    public IngestPipeline(Supplier<Storage> storage, Supplier<List<RelabelConfig>> relabel,
            java.util.function.LongSupplier seriesPerRequest, int workers, MeterRegistry registry) {
        this(storage, relabel, seriesPerRequest, workers, registry, Runtime.getRuntime().maxMemory() / 4);
    }

    IngestPipeline(Supplier<Storage> storage, Supplier<List<RelabelConfig>> relabel, int workers, MeterRegistry registry,
            long bodyBudget) {
        this(storage, relabel, () -> 0, workers, registry, bodyBudget);
    }

    /**
     * @param bodyBudget bytes of request bodies (by {@code Content-Length}) that may be held at once
     */
    IngestPipeline(Supplier<Storage> storage, Supplier<List<RelabelConfig>> relabel,
            java.util.function.LongSupplier seriesPerRequest, int workers, MeterRegistry registry, long bodyBudget) {
        this.storage = storage;
        this.relabel = relabel;
        this.seriesPerRequest = seriesPerRequest;
        this.registry = registry;
        this.maxInFlight = workers + QUEUED_REQUESTS;
        this.maxUnknownLength = workers;
        this.bodyBudget = bodyBudget;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_REQUESTS), r -> {
                    Thread t = new Thread(r, "ingest-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Admits a request before its body is read, so that bodies waiting in memory are bounded too: at most
     * as many requests as workers plus queue, at most the body budget by {@code Content-Length}, and at
     * most one request per worker without a {@code Content-Length} (chunked: its size is known only once
     * read, up to {@code limits.max_request_body_size}).
     * Returns null when admitted (call {@link #leave} when done), else the 503 to answer.
     */
    public HttpResponse enter(long contentLength) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return retryLater(1, "too many writes in flight; retry shortly");
        }
        if (contentLength < 0 && unknownLengthInFlight.incrementAndGet() > maxUnknownLength) {
            // A chunked body cannot be charged to the budget before it is read: at most one per worker.
            unknownLengthInFlight.decrementAndGet();
            inFlight.decrementAndGet();
            return retryLater(1, "too many writes without Content-Length in flight; retry shortly");
        }
        long charge = Math.max(0, contentLength);
        if (bodyBytes.addAndGet(charge) > bodyBudget && charge > 0) {
            bodyBytes.addAndGet(-charge);
            inFlight.decrementAndGet();
            return retryLater(1, "too many request bytes in flight (" + bodyBudget + " bytes at most); retry shortly");
        }
        return null;
    }

    /** Ends what {@link #enter} admitted. */
    public void leave(long contentLength) {
        if (contentLength < 0) {
            unknownLengthInFlight.decrementAndGet();
        }
        bodyBytes.addAndGet(-Math.max(0, contentLength));
        inFlight.decrementAndGet();
    }

    /**
     * Admits, reads and stores a request: the whole path of a push endpoint once its headers are checked.
     */
    public HttpResponse serve(com.linecorp.armeria.common.HttpRequest req, String protocol, Decoder decoder) {
        long length = req.headers().contentLength();
        HttpResponse refused = enter(length);
        if (refused != null) {
            return refused;
        }
        CompletableFuture<HttpResponse> done = req.aggregate().thenCompose(agg -> submit(agg, protocol, decoder));
        done.whenComplete((r, e) -> leave(length));
        return HttpResponse.of(done);
    }

    /**
     * As {@link #serve}, for the protocols that carry most samples: the body stays in Netty's pooled buffers
     * until a worker copies it into an array the worker reuses, and the decoder reads it there.
     */
    public HttpResponse serveBuffered(ServiceRequestContext ctx, HttpRequest req, String protocol,
            BufferDecoder decoder) {
        long length = req.headers().contentLength();
        HttpResponse refused = enter(length);
        if (refused != null) {
            return refused;
        }
        CompletableFuture<HttpResponse> done = req.aggregate(AggregationOptions.usePooledObjects(ctx.alloc()))
                .thenCompose(agg -> storePooled(agg.content(), protocol, decoder))
                .thenApply(IngestPipeline::response);
        done.whenComplete((r, e) -> leave(length));
        return HttpResponse.of(done);
    }

    /** Stores a pooled body on the pool; {@code content} is closed whatever happens. */
    CompletableFuture<Outcome> storePooled(HttpData content, String protocol, BufferDecoder decoder) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                byte[] buf;
                int len;
                try (content) {
                    len = content.length();
                    buf = BODY_BUFFER.get();
                    if (buf.length < len) {
                        buf = new byte[Math.max(len, Math.min(MAX_KEPT_BODY_BUFFER, buf.length * 2))];
                        if (buf.length <= MAX_KEPT_BODY_BUFFER) {
                            BODY_BUFFER.set(buf);
                        }
                    }
                    ByteBuf b = content.byteBuf();
                    b.getBytes(b.readerIndex(), buf, 0, len);
                }
                byte[] body = buf;
                return handle(sink -> decoder.decode(body, len, sink), protocol);
            }, workers);
        } catch (RejectedExecutionException e) {
            content.close();
            return CompletableFuture.completedFuture(Outcome.unavailable(1, "too many writes in flight; retry shortly"));
        }
    }

    /** Decodes and stores {@code req}'s body on the pool; the response follows the semantics above. */
    public CompletableFuture<HttpResponse> submit(AggregatedHttpRequest req, String protocol, Decoder decoder) {
        return store(req.content().array(), protocol, decoder).thenApply(IngestPipeline::response);
    }

    /**
     * What became of one request: stored (perhaps with some samples refused), malformed (nothing
     * stored) or not storable now (retry after the given seconds).
     */
    public record Outcome(Kind kind, long accepted, long rejected, List<String> errors, String message, int retryAfter) {
        public enum Kind { STORED, MALFORMED, UNAVAILABLE }

        static Outcome unavailable(int seconds, String message) {
            return new Outcome(Kind.UNAVAILABLE, 0, 0, List.of(), message, seconds);
        }

        /** For a partly refused request: how many were stored and refused, and the first few reasons. */
        public String summary() {
            return "stored " + accepted + " samples, refused " + rejected + ": " + String.join("; ", errors)
                    + (rejected > errors.size() ? "; ..." : "");
        }
    }

    /**
     * Decodes and stores a body on the pool, for protocols that answer in their own format (OTLP). A
     * full pool completes at once with {@link Outcome.Kind#UNAVAILABLE}. The caller has admitted the
     * request with {@link #enter} or holds no body beyond what it passes.
     */
    public CompletableFuture<Outcome> store(byte[] body, String protocol, Decoder decoder) {
        try {
            return CompletableFuture.supplyAsync(() -> handle(sink -> decoder.decode(body, sink), protocol), workers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Outcome.unavailable(1, "too many writes in flight; retry shortly"));
        }
    }

    private static HttpResponse response(Outcome o) {
        return switch (o.kind()) {
            case UNAVAILABLE -> retryLater(o.retryAfter(), o.message());
            case MALFORMED -> ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", o.message());
            case STORED -> o.rejected() == 0 ? HttpResponse.of(HttpStatus.NO_CONTENT)
                    : ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", o.summary());
        };
    }

    /** What a decoder does with a body it holds: hands its series to the sink. */
    @FunctionalInterface
    private interface Fill {
        void into(SeriesSink sink) throws MalformedRequestException;
    }

    private Outcome handle(Fill decode, String protocol) {
        Storage s = storage.get();
        if (s == null) {
            return Outcome.unavailable(5, "storage is opening (replaying its write-ahead log); retry shortly");
        }
        Appender appender = s.appender();
        AppendingSink sink = new AppendingSink(appender, protocol, relabel.get(), seriesPerRequest.getAsLong());
        try {
            decode.into(sink);
        } catch (MalformedRequestException e) {
            appender.rollback();
            return new Outcome(Outcome.Kind.MALFORMED, 0, 0, List.of(), e.getMessage(), 0);
        } catch (RuntimeException e) {
            appender.rollback(); // a bug, not bad input: nothing of the request is stored, the caller answers 500
            throw e;
        }
        try {
            appender.commit();
        } catch (StorageException e) {
            return Outcome.unavailable(5, "cannot store the samples now: " + e.getMessage());
        }
        Counter.builder("sightline.ingest.samples").description("Samples stored, by protocol.")
                .tag("protocol", protocol).register(registry).increment(sink.accepted);
        if (sink.relabeledAway > 0) {
            Counter.builder("sightline.ingest.samples.relabeled.away")
                    .description("Samples not stored because ingest.relabel_configs dropped their series, by protocol.")
                    .tag("protocol", protocol).register(registry).increment(sink.relabeledAway);
        }
        return new Outcome(Outcome.Kind.STORED, sink.accepted, sink.rejected, List.copyOf(sink.errors), "", 0);
    }

    static HttpResponse retryLater(int seconds, String message) {
        return ApiErrors.aggregatedWithHeader(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", message,
                HttpHeaderNames.RETRY_AFTER, Integer.toString(seconds)).toHttpResponse();
    }

    /** Appends every decoded sample, keeping the first few refusals to report. */
    private final class AppendingSink implements SeriesSink {
        final Appender appender;
        final String protocol;
        final List<String> errors = new ArrayList<>();
        long accepted;
        long rejected;

        final List<RelabelConfig> rules;
        long relabeledAway;

        final long maxSeries;
        long series;

        AppendingSink(Appender appender, String protocol, List<RelabelConfig> rules, long maxSeries) {
            this.appender = appender;
            this.protocol = protocol;
            this.rules = rules;
            this.maxSeries = maxSeries;
        }

        @Override
        public void series(Labels original, long[] timestamps, double[] values, int count) {
            series(original, timestamps, values, null, count);
        }

        @Override
        public void series(Labels original, long[] timestamps, double[] values, long[] starts, int count) {
            if (maxSeries > 0 && ++series > maxSeries) {
                refuse("series " + original + ": the request has more than " + maxSeries
                        + " series (limits.max_series_per_request); send fewer per request", "series_per_request", count);
                return;
            }
            Labels labels = Relabeler.process(original, rules);
            if (labels == null || labels.isEmpty()) {
                relabeledAway += count;
                return;
            }
            long ref = 0;
            for (int i = 0; i < count; i++) {
                try {
                    ref = appender.append(ref, labels, starts == null ? 0 : starts[i], timestamps[i], values[i]);
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
                    .tag("protocol", protocol).tag("reason", reason)
                    .register(registry).increment(samples);
        }
    }

    private static String reason(StorageException.SampleRejected e) {
        if (e instanceof StorageException.LimitExceeded l) {
            return l.limit();
        }
        StringBuilder sb = new StringBuilder();
        for (char c : e.getClass().getSimpleName().toCharArray()) {
            if (Character.isUpperCase(c) && sb.length() > 0) {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
