package io.sightline.server.lifecycle;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.sightline.server.StartupException;
import io.sightline.server.auth.Scope;
import io.sightline.server.auth.TokenAuthenticator;
import io.sightline.server.config.ConfigException;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.http.ApiErrors;
import io.sightline.server.http.Endpoint;
import io.sightline.server.http.HttpServerFactory;
import io.sightline.server.metrics.SelfMetrics;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running process: locks the data dir, starts the HTTP server (so {@code /-/healthy} answers at
 * once), opens storage, then reports ready. {@link #close()} stops taking requests, lets in-flight ones
 * finish, closes storage and releases the lock, in that order; it is idempotent and safe from any thread.
 */
public final class SightlineServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SightlineServer.class);
    private static final Set<HttpMethod> GET_HEAD = Set.of(HttpMethod.GET, HttpMethod.HEAD);

    private final ConfigSource source;
    private final AtomicReference<SightlineConfig> config;
    private final SelfMetrics metrics = new SelfMetrics();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DataDirectory dataDir;
    private final Server http;
    /** How long in-flight requests may run on after a stop is asked for. */
    private final Duration shutdownTimeout;
    private volatile AutoCloseable storage;
    private volatile boolean started;
    private final List<Service> services;
    private final List<Service> running = new java.util.concurrent.CopyOnWriteArrayList<>();

    private SightlineServer(ConfigSource source, SightlineConfig initial, Options options) throws StartupException {
        this.source = source;
        this.config = new AtomicReference<>(initial);
        this.services = options.services();
        this.shutdownTimeout = options.shutdownTimeout();
        this.dataDir = DataDirectory.open(initial.storage().path());
        TokenAuthenticator authenticator = new TokenAuthenticator(() -> config.get().auth());
        List<Endpoint> all = endpoints();
        all.addAll(options.endpoints().apply(metrics));
        this.http = HttpServerFactory.build(initial.listeners().http(), dedicatedPorts(initial.listeners()), all,
                authenticator, metrics, () -> config.get().limits().maxRequestBodyBytes(), options.shutdownTimeout());
    }

    /** The OTLP ports: the collector's paths only ({@code /v1/...} over HTTP, the gRPC services over HTTP/2). */
    static List<HttpServerFactory.DedicatedPort> dedicatedPorts(SightlineConfig.ListenersConfig l) {
        List<HttpServerFactory.DedicatedPort> out = new ArrayList<>();
        if (l.otlpHttp() != null) {
            out.add(new HttpServerFactory.DedicatedPort(l.otlpHttp(), path -> path.startsWith("/v1/"), "listeners.otlp_http"));
        }
        if (l.otlpGrpc() != null) {
            out.add(new HttpServerFactory.DedicatedPort(l.otlpGrpc(),
                    path -> path.startsWith("/opentelemetry.proto.collector."), "listeners.otlp_grpc"));
        }
        return out;
    }

    /**
     * How to assemble the server beyond its config; grows as modules arrive.
     *
     * @param storage opens the storage engines in the locked data dir
     * @param endpoints makes the routes contributed by the modules (APIs, ingest), beside the built-in
     *     ones, given the self-metrics to register their figures in
     * @param shutdownTimeout how long in-flight requests may run after a stop is asked for
     * @param services run beside the handlers once storage is open (scraping), told of reloads, closed
     *     before storage
     */
    public record Options(StorageOpener storage, java.util.function.Function<SelfMetrics, List<Endpoint>> endpoints,
            Duration shutdownTimeout, List<Service> services) {
        public Options(StorageOpener storage, java.util.function.Function<SelfMetrics, List<Endpoint>> endpoints,
                Duration shutdownTimeout) {
            this(storage, endpoints, shutdownTimeout, List.of());
        }
    }

    /**
     * Starts the server and opens storage; returns once ready.
     *
     * @throws StartupException for a user-fixable cause (data dir, port), with resources released
     */
    public static SightlineServer start(ConfigSource source, SightlineConfig config, Options options)
            throws StartupException {
        long t0 = System.nanoTime();
        JitDirectives.install();
        NativeHeapTrimmer.start();
        SightlineServer s = new SightlineServer(source, config, options);
        try {
            s.startHttp();
            s.openStorage(options.storage());
            s.startServices();
        } catch (StartupException | RuntimeException e) {
            s.close();
            throw e;
        }
        log.atInfo().addKeyValue("address", s.address().getHostString() + ":" + s.address().getPort())
                .addKeyValue("data_dir", s.dataDir.path())
                .addKeyValue("auth", config.auth().enabled() ? "on" : "off")
                .addKeyValue("startup_ms", (System.nanoTime() - t0) / 1_000_000)
                .log("Sightline is ready");
        return s;
    }

    private void startHttp() throws StartupException {
        try {
            http.start().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            var l = config.get().listeners();
            String addr = l.http().toString();
            if (l.otlpHttp() != null || l.otlpGrpc() != null) {
                addr = addr + " (listeners.http), " + (l.otlpGrpc() == null ? "" : l.otlpGrpc() + " (listeners.otlp_grpc) ")
                        + (l.otlpHttp() == null ? "" : l.otlpHttp() + " (listeners.otlp_http)");
                addr = addr.strip();
            }
            if (cause instanceof BindException || (cause.getMessage() != null && cause.getMessage().contains("in use"))) {
                throw new StartupException("cannot listen on " + addr + ": address already in use; stop the other process"
                        + " or choose another address with --http-address or listeners.http.address");
            }
            throw new StartupException("cannot listen on " + addr + ": " + cause.getMessage(), cause);
        }
    }

    private void openStorage(StorageOpener opener) throws StartupException {
        try {
            storage = opener.open(dataDir, metrics);
        } catch (StartupException e) {
            throw e;
        } catch (Exception e) {
            throw new StartupException("cannot open storage in " + dataDir.path() + ": " + e.getMessage(), e);
        }
        ready.set(true);
        metrics.setReady(true);
        started = true;
    }

    private void startServices() throws StartupException {
        for (Service svc : services) {
            try {
                svc.start(config.get(), metrics);
            } catch (RuntimeException e) {
                throw new StartupException("cannot start " + svc.getClass().getSimpleName() + ": " + e.getMessage(), e);
            }
            running.add(svc);
        }
    }

    private List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.add(Endpoint.open("/-/healthy", GET_HEAD,
                (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "Sightline is Healthy.\n")));
        list.add(Endpoint.of("/-/ready", GET_HEAD, Scope.READ, (ctx, req) -> ready.get()
                ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "Sightline is Ready.\n")
                : ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                        closed.get() ? "Sightline is shutting down" : "Sightline is starting: storage is not open yet")));
        list.add(Endpoint.of("/metrics", GET_HEAD, Scope.READ, (ctx, req) -> {
            String accept = req.headers().get("accept", "");
            String type = accept.contains("application/openmetrics-text")
                    ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                    : "text/plain; version=0.0.4; charset=utf-8";
            return HttpResponse.of(HttpStatus.OK, MediaType.parse(type), metrics.scrape(type));
        }));
        list.add(Endpoint.of("/-/reload", Set.of(HttpMethod.POST, HttpMethod.PUT), Scope.ADMIN, (ctx, req) -> {
            ReloadResult r = reload();
            return r.ok()
                    ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"success\"}")
                    : ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_config", r.message());
        }));
        return list;
    }

    /** What a reload did: {@code ok} with notes on settings that need a restart, or the reason it failed. */
    public record ReloadResult(boolean ok, String message) {}

    /**
     * Re-reads the config. A bad file keeps the running config and returns why; settings that cannot
     * change while running (listen address, data dir) keep their old values and are named in the log.
     */
    public synchronized ReloadResult reload() {
        SightlineConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            metrics.recordReload(false);
            log.atError().addKeyValue("reason", e.getMessage()).log("config reload failed; keeping the running config");
            return new ReloadResult(false, "config reload failed, keeping the running config: " + e.getMessage());
        }
        SightlineConfig current = config.get();
        List<String> needRestart = new ArrayList<>();
        if (!next.listeners().equals(current.listeners())) {
            needRestart.add("listeners");
        }
        if (!next.storage().path().toAbsolutePath().normalize().equals(current.storage().path().toAbsolutePath().normalize())) {
            needRestart.add("storage.path");
        }
        if (!next.storage().withPath(current.storage().path()).equals(current.storage())) {
            needRestart.add("storage.tsdb/storage.wal");
        }
        var nl = next.limits();
        var cl = current.limits();
        if (nl.maxSeries() != cl.maxSeries() || nl.maxLabelNamesPerSeries() != cl.maxLabelNamesPerSeries()
                || nl.maxLabelNameLength() != cl.maxLabelNameLength() || nl.maxLabelValueLength() != cl.maxLabelValueLength()) {
            needRestart.add("limits.max_series/max_label_*");
        }
        SightlineConfig applied = new SightlineConfig(next.source(), next.global(), next.ruleFiles(), next.scrapeConfigs(),
                next.alerting(), current.listeners(), current.storage(), next.limits(), next.query(), next.auth(),
                next.ingest());
        config.set(applied);
        List<String> problems = new ArrayList<>();
        for (Service svc : running) {
            String problem = svc.reload(applied);
            if (problem != null) {
                problems.add(svc.getClass().getSimpleName() + " kept its previous settings: " + problem);
            }
        }
        if (!problems.isEmpty()) {
            metrics.recordReload(false);
            log.atError().addKeyValue("reason", String.join("; ", problems)).log("config reload partly failed");
            return new ReloadResult(false, "config reload partly failed: " + String.join("; ", problems));
        }
        metrics.recordReload(true);
        var event = log.atInfo().addKeyValue("file", next.source());
        if (!needRestart.isEmpty()) {
            event = event.addKeyValue("needs_restart", String.join(",", needRestart));
        }
        event.log("config reloaded");
        return new ReloadResult(true, needRestart.isEmpty() ? "" : "changes to " + needRestart + " take effect after a restart");
    }

    public SightlineConfig config() {
        return config.get();
    }

    public boolean isReady() {
        return ready.get();
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        var configured = config.get().listeners().http();
        int port = configured.port();
        if (port == 0) {
            port = http.activeLocalPort(); // the dedicated ports are never 0, so the one bound to a free port
            for (var a : http.activePorts().keySet()) {
                if (!dedicatedPorts(config.get().listeners()).stream().anyMatch(d -> d.address().port() == a.getPort())) {
                    port = a.getPort();
                }
            }
        }
        return new InetSocketAddress(configured.host(), port > 0 ? port : configured.port());
    }

    public SelfMetrics metrics() {
        return metrics;
    }

    /** The running service of that type, or null. */
    public <T extends Service> T service(Class<T> type) {
        for (Service svc : running) {
            if (type.isInstance(svc)) {
                return type.cast(svc);
            }
        }
        return null;
    }

    /** What the storage opener returned (the metrics store in production), or null before ready. */
    public AutoCloseable storageHandle() {
        return storage;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        ready.set(false);
        metrics.setReady(false);
        try {
            // Bounded: a request that never completes must not keep the process (and its storage) from
            // closing cleanly when a supervisor asks it to stop.
            http.stop().get(shutdownTimeout.toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.atWarn().addKeyValue("waited_ms", shutdownTimeout.toMillis() + 10_000)
                    .log("the HTTP server did not stop in time; closing storage anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.atWarn().log("interrupted while stopping the HTTP server; closing storage anyway");
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
            log.atWarn().setCause(e).log("error while stopping the HTTP server");
        }
        for (Service svc : running) {
            try {
                svc.close();
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).log("error while stopping " + svc.getClass().getSimpleName());
            }
        }
        running.clear();
        AutoCloseable s = storage;
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                log.atError().setCause(e).log("error while closing storage");
            }
        }
        try {
            dataDir.close();
        } catch (Exception e) {
            log.atWarn().setCause(e).log("error while releasing the data dir lock");
        }
        metrics.close();
        if (started) {
            log.atInfo().addKeyValue("shutdown_ms", (System.nanoTime() - t0) / 1_000_000).log("Sightline stopped cleanly");
        }
    }
}
