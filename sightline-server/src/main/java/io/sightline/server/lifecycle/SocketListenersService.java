package io.sightline.server.lifecycle;

import io.sightline.ingest.statsd.StatsdAggregator;
import io.sightline.server.config.HostPort;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.ingest.GraphiteServer;
import io.sightline.server.ingest.IngestPipeline;
import io.sightline.server.ingest.StatsdServer;
import io.sightline.server.metrics.SelfMetrics;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push listeners that are not HTTP: Graphite plaintext (TCP) and StatsD (UDP), each on when its
 * {@code listeners} section is present. They store through a pipeline of their own (one worker), so a
 * flood on them cannot take the workers of HTTP pushes; {@code ingest.relabel_configs} applies as for
 * every push. Their addresses and settings take effect at start; a reload keeps them (the server says
 * a restart is needed), but applies new relabel rules at once.
 */
public final class SocketListenersService implements Service {
    private static final Logger log = LoggerFactory.getLogger(SocketListenersService.class);

    private final TsdbOpener storage;
    private final AtomicReference<SightlineConfig> config = new AtomicReference<>();
    private GraphiteServer graphite;
    private StatsdServer statsd;

    public SocketListenersService(TsdbOpener storage) {
        this.storage = storage;
    }

    @Override
    public synchronized void start(SightlineConfig c, SelfMetrics metrics) {
        config.set(c);
        var l = c.listeners();
        if (l.graphite() == null && l.statsd() == null) {
            return;
        }
        IngestPipeline pipeline = new IngestPipeline(storage::storage, () -> config.get().ingest().relabelConfigs(),
                () -> 0, 1, metrics.registry()); // a Graphite batch or a StatsD flush is not a request: no series limit
        try {
            if (l.graphite() != null) {
                graphite = new GraphiteServer(socketAddress(l.graphite().address()), l.graphite().maxConnections(),
                        pipeline, metrics.registry(), System::currentTimeMillis);
                log.atInfo().addKeyValue("address", show(graphite.address())).log("listening for Graphite plaintext (TCP)");
            }
            if (l.statsd() != null) {
                var s = l.statsd();
                statsd = new StatsdServer(socketAddress(s.address()), s.flushInterval(),
                        new StatsdAggregator(s.aggregation(), System.nanoTime()), pipeline, metrics.registry(),
                        System::currentTimeMillis);
                log.atInfo().addKeyValue("address", show(statsd.address()))
                        .addKeyValue("flush_interval", s.flushInterval().toMillis() + "ms").log("listening for StatsD (UDP)");
            }
        } catch (IOException | RuntimeException e) { // UnresolvedAddressException, SecurityException...
            String which = graphite == null && l.graphite() != null ? "listeners.graphite " + l.graphite().address() + " (TCP)"
                    : "listeners.statsd " + l.statsd().address() + " (UDP)";
            close();
            throw new IllegalStateException("cannot listen on " + which + ": "
                    + (e instanceof BindException ? "address already in use or not available"
                            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    private static InetSocketAddress socketAddress(HostPort hp) {
        return new InetSocketAddress(hp.host(), hp.port());
    }

    private static String show(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public String reload(SightlineConfig c) {
        config.set(c);
        return null;
    }

    /** The bound Graphite address, or null when it is off. */
    public synchronized InetSocketAddress graphiteAddress() {
        return graphite == null ? null : graphite.address();
    }

    /** The bound StatsD address, or null when it is off. */
    public synchronized InetSocketAddress statsdAddress() {
        return statsd == null ? null : statsd.address();
    }

    /** The StatsD listener, or null when it is off (tests flush it at will). */
    public synchronized StatsdServer statsd() {
        return statsd;
    }

    @Override
    public synchronized void close() {
        if (graphite != null) {
            graphite.close();
            graphite = null;
        }
        if (statsd != null) {
            statsd.close();
            statsd = null;
        }
    }
}
