package io.sightline.server.http;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.server.metrics.SelfMetrics;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The outermost decorator: gives each request an {@code X-Request-Id}, applies the live body-size
 * limit, counts it in the self-metrics by handler, and logs it once complete: at debug for successes,
 * info for client errors and 503, warn for other server errors, each with the request id so that a client can quote
 * it and an operator can find the line.
 */
final class RequestObserver implements DecoratingHttpServiceFunction {
    private static final Logger log = LoggerFactory.getLogger("io.sightline.server.http.access");

    private final SelfMetrics metrics;
    private final java.util.Map<String, String> handlers;
    private final LongSupplier maxBodyBytes;

    /**
     * @param handlers route pattern to handler name; requests matching none are counted as {@code other},
     *     so that scanners probing random paths cannot blow up the metrics' cardinality
     */
    RequestObserver(SelfMetrics metrics, java.util.Map<String, String> handlers, LongSupplier maxBodyBytes) {
        this.metrics = metrics;
        this.handlers = java.util.Map.copyOf(handlers);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        long start = System.nanoTime();
        ctx.setMaxRequestLength(maxBodyBytes.getAsLong());
        ctx.addAdditionalResponseHeader("x-request-id", ctx.id().shortText());
        metrics.inFlight().incrementAndGet();
        ctx.log().whenComplete().thenAccept(l -> finished(ctx, l, start));
        return delegate.serve(ctx, req);
    }

    private void finished(ServiceRequestContext ctx, RequestLog l, long start) {
        metrics.inFlight().decrementAndGet();
        int code = l.responseHeaders().status().code();
        long nanos = System.nanoTime() - start;
        String handler = handlers.getOrDefault(ctx.config().route().patternString(), "other");
        metrics.recordRequest(handler, ctx.method().name(), code, nanos);
        // 503 means "come back later" (starting, overloaded): expected, and probed every few seconds
        // by supervisors, so it must not flood the log at warn.
        Level level = code >= 500 && code != 503 ? Level.WARN : code >= 400 ? Level.INFO : Level.DEBUG;
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        String token = ctx.attr(AuthDecorator.TOKEN_NAME);
        var event = log.atLevel(level)
                .addKeyValue("request_id", ctx.id().shortText())
                .addKeyValue("method", ctx.method().name())
                .addKeyValue("path", ctx.path())
                .addKeyValue("status", code)
                .addKeyValue("duration_ms", String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6))
                .addKeyValue("remote", ctx.clientAddress().getHostAddress());
        if (token != null) {
            event = event.addKeyValue("token", token);
        }
        event.log("request");
    }
}
