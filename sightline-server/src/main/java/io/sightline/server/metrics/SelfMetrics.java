package io.sightline.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.server.BuildInfo;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sightline's own metrics, served at {@code /metrics} in the Prometheus text format (or OpenMetrics when
 * asked), so Sightline can scrape and alert on itself. Names follow Prometheus's own where there is one
 * ({@code prometheus_http_requests_total} becomes {@code sightline_http_requests_total}). Engines add
 * their figures through {@link #registry()}. Thread-safe.
 */
public final class SelfMetrics implements AutoCloseable {
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Request meters, looked up here rather than built and registered again for each request. */
    private final java.util.concurrent.ConcurrentHashMap<RequestKey, Counter> requestCounters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> requestTimers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger lastReloadOk = new AtomicInteger(1);
    private final AtomicLong lastReloadSuccessSeconds = new AtomicLong(System.currentTimeMillis() / 1000);

    public SelfMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new StandardProcessMetrics().bindTo(registry);
        Gauge.builder("sightline.build.info", () -> 1)
                .description("Sightline's version; the value is always 1.")
                .tag("version", BuildInfo.version())
                .tag("revision", BuildInfo.revision())
                .tag("branch", BuildInfo.branch())
                .tag("java_version", System.getProperty("java.version"))
                .register(registry);
        Gauge.builder("sightline.http.requests.in.flight", inFlight, AtomicInteger::get)
                .description("HTTP requests being served now.")
                .register(registry);
        Gauge.builder("sightline.ready", ready, AtomicInteger::get)
                .description("1 once storage is open and the server answers /-/ready with 200.")
                .register(registry);
        Gauge.builder("sightline.config.last.reload.successful", lastReloadOk, AtomicInteger::get)
                .description("Whether the last configuration reload succeeded.")
                .register(registry);
        Gauge.builder("sightline.config.last.reload.success.timestamp.seconds", lastReloadSuccessSeconds, AtomicLong::get)
                .description("When the configuration was last loaded successfully, in Unix seconds.")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The exposition for {@code /metrics}; {@code openMetrics} picks the OpenMetrics text format. */
    public String scrape(String contentType) {
        return registry.scrape(contentType);
    }

    /** Records one finished HTTP request. {@code handler} must be a bounded route name, not a raw path. */
    public void recordRequest(String handler, String method, int code, long nanos) {
        requestCounters.computeIfAbsent(new RequestKey(handler, method, code),
                k -> Counter.builder("sightline.http.requests")
                        .description("HTTP requests served, by handler, method and status code.")
                        .tag("handler", k.handler()).tag("method", k.method()).tag("code", Integer.toString(k.code()))
                        .register(registry)).increment();
        requestTimers.computeIfAbsent(handler, h -> Timer.builder("sightline.http.request.duration")
                .description("Time to serve an HTTP request, from receipt to the end of the response.")
                .tag("handler", h)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** A request counter's labels; bounded: handlers are route names, methods and codes HTTP's own. */
    private record RequestKey(String handler, String method, int code) {}

    public AtomicInteger inFlight() {
        return inFlight;
    }

    public void setReady(boolean isReady) {
        ready.set(isReady ? 1 : 0);
    }

    public boolean lastReloadSuccessful() {
        return lastReloadOk.get() == 1;
    }

    public long lastReloadSuccessSeconds() {
        return lastReloadSuccessSeconds.get();
    }

    public void recordReload(boolean ok) {
        lastReloadOk.set(ok ? 1 : 0);
        if (ok) {
            lastReloadSuccessSeconds.set(System.currentTimeMillis() / 1000);
        }
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
