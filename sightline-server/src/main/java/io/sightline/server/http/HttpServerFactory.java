package io.sightline.server.http;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.sightline.server.auth.TokenAuthenticator;
import io.sightline.server.config.HostPort;
import io.sightline.server.metrics.SelfMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Builds the one Armeria server that carries the API, ingest and UI. Each endpoint is declared to answer with
 * a whole response ({@link WholeResponse}) and wrapped, inside out, in its auth check and then in the
 * {@link RequestObserver}; every error Armeria renders itself becomes a JSON body.
 */
public final class HttpServerFactory {
    private HttpServerFactory() {}

    /**
     * The acceptor loop. Netty's default shutdown waits a 2 s quiet period for new tasks, which made every
     * stop (and every test server) 2 s slower for nothing: the acceptor has no tasks once the port closes.
     */
    private static io.netty.channel.EventLoopGroup bossGroup(String name) {
        var factory = io.netty.channel.epoll.Epoll.isAvailable()
                ? io.netty.channel.epoll.EpollIoHandler.newFactory()
                : io.netty.channel.nio.NioIoHandler.newFactory();
        var threads = new io.netty.util.concurrent.DefaultThreadFactory("sightline-accept-" + name, true);
        return new io.netty.channel.MultiThreadIoEventLoopGroup(1, threads, factory) {
            @Override
            public io.netty.util.concurrent.Future<?> shutdownGracefully() {
                return shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS);
            }
        };
    }

    /**
     * Has every connection consolidate its flushes also outside reads, so that a response finished on another thread
     * (every query: they run on the query pool) leaves in one write, as one finished while its request is read does.
     * Armeria's HTTP/1 encoder flushes after the head and again after the body; its pipeline's
     * {@link FlushConsolidationHandler} merges those only while a read is in progress, so an answer that came later was
     * written with two system calls (two TCP segments, the client waiting for the second). Outside reads, a flush
     * now runs in a task queued after the current one, together with any others asked for meanwhile; the handler
     * still flushes what is pending when the connection closes.
     */
    static void consolidateFlushes(io.netty.channel.ChannelPipeline p) {
        if (p.get(FlushConsolidationHandler.class) != null) {
            p.remove(FlushConsolidationHandler.class); // Armeria's, first in the pipeline: ours takes its place
        }
        p.addFirst(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }

    /**
     * @param maxBodyBytes read per request, so a config reload changes the limit without a restart
     * @param shutdownTimeout how long in-flight requests may run on after a stop is asked for
     */
    public static Server build(HostPort address, List<Endpoint> endpoints, TokenAuthenticator authenticator,
            SelfMetrics metrics, LongSupplier maxBodyBytes, Duration shutdownTimeout) {
        return build(address, List.of(), endpoints, authenticator, metrics, maxBodyBytes, shutdownTimeout);
    }

    /**
     * A port of its own that serves only some endpoints, as the OpenTelemetry Collector's OTLP ports
     * (4317, 4318) do: an OTLP exporter left at its default endpoint reaches Sightline, and nothing else
     * is exposed there.
     *
     * @param address its port must not be 0: requests are routed to the endpoints by port
     * @param paths which endpoints (by path) it serves; other paths get 404
     * @param name what it is, for the 404 message: e.g. {@code listeners.otlp_http}
     */
    public record DedicatedPort(HostPort address, java.util.function.Predicate<String> paths, String name) {}

    /**
     * @param dedicated further ports, each with a subset of the endpoints
     */
    public static Server build(HostPort address, List<DedicatedPort> dedicated, List<Endpoint> endpoints,
            TokenAuthenticator authenticator, SelfMetrics metrics, LongSupplier maxBodyBytes, Duration shutdownTimeout) {
        ServerBuilder sb = Server.builder()
                .port(new InetSocketAddress(address.host(), address.port()), com.linecorp.armeria.common.SessionProtocol.HTTP)
                .errorHandler(new JsonErrorHandler())
                .maxRequestLength(maxBodyBytes.getAsLong())
                .requestTimeout(Duration.ofMinutes(2))
                // A short quiet period: Sightline sits behind no load balancer that needs time to notice,
                // but in-flight requests still run to completion within the timeout.
                .gracefulShutdownTimeout(Duration.ofMillis(200), shutdownTimeout)
                .bossGroupFactory(HttpServerFactory::bossGroup)
                .childChannelPipelineCustomizer(HttpServerFactory::consolidateFlushes)
                .disableServerHeader()
                .disableDateHeader();
        java.util.Map<String, String> handlers = new java.util.HashMap<>();
        for (Endpoint e : endpoints) {
            com.linecorp.armeria.server.HttpService service = new WholeResponse(e.service());
            if (e.scope() != null) {
                service = service.decorate(new AuthDecorator(authenticator, e.scope()));
            }
            var route = com.linecorp.armeria.server.Route.builder().path(e.path()).methods(e.methods()).build();
            handlers.put(route.patternString(), e.handler());
            sb.route().path(e.path()).methods(e.methods()).build(service);
        }
        java.util.Map<Integer, DedicatedPort> byPort = new java.util.HashMap<>();
        for (DedicatedPort d : dedicated) {
            if (d.address().port() == 0) {
                throw new IllegalArgumentException("a dedicated port must be given, not 0: " + d.address());
            }
            sb.port(new InetSocketAddress(d.address().host(), d.address().port()),
                    com.linecorp.armeria.common.SessionProtocol.HTTP);
            byPort.put(d.address().port(), d);
        }
        if (!byPort.isEmpty()) {
            // Inside the observer (added after), so that what a dedicated port refuses is counted too.
            sb.decorator((delegate, ctx, req) -> {
                DedicatedPort d = byPort.get(((InetSocketAddress) ctx.localAddress()).getPort());
                if (d != null && !d.paths().test(ctx.path())) {
                    return ApiErrors.response(com.linecorp.armeria.common.HttpStatus.NOT_FOUND, "not_found",
                            "nothing at " + ctx.path() + " on this port (" + d.name()
                                    + "); the API is on the main HTTP port (listeners.http)");
                }
                return delegate.serve(ctx, req);
            });
        }
        // Global, so that requests no endpoint matched (404, 405) are counted and logged too.
        sb.decorator(new RequestObserver(metrics, handlers, maxBodyBytes));
        return sb.build();
    }
}
