package io.sightline.server.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.ingest.statsd.StatsdAggregator;
import io.sightline.ingest.statsd.StatsdEvent;
import io.sightline.ingest.statsd.StatsdParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StatsD (with DogStatsD tags) over UDP, as statsd and statsd_exporter take it: each datagram holds
 * lines ({@link StatsdParser}), their events are aggregated in memory ({@link StatsdAggregator}), and
 * every flush interval the aggregated series are written with the flush time through the
 * {@link IngestPipeline} (so {@code ingest.relabel_configs} and the storage limits apply).
 *
 * <p>UDP has no acknowledgement and no back-pressure: a datagram the kernel drops because Sightline
 * read too slowly is lost, as with statsd; the socket asks for a 4 MiB receive buffer to ride out
 * bursts. A datagram that is not valid UTF-8 is read line by line, so only the bad lines are refused.
 * Refused lines and events are counted by reason and the first of every minute is logged.
 */
public final class StatsdServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatsdServer.class);
    private static final String PROTOCOL = "statsd";
    /** The largest UDP payload: no datagram is ever truncated. */
    private static final int MAX_DATAGRAM = 65_535;
    private static final long LOG_EVERY_MS = 60_000;

    private final DatagramChannel channel;
    private final StatsdAggregator aggregator;
    private final IngestPipeline pipeline;
    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final Counter packets;
    private final Counter events;
    private final Thread receiver;
    private final ScheduledExecutorService flusher;
    private volatile boolean closed;
    private long lastLogged = -LOG_EVERY_MS; // not Long.MIN_VALUE: now - MIN_VALUE overflows

    /**
     * Binds and starts receiving and flushing.
     *
     * @param clock milliseconds since the epoch, the timestamp of each flush
     * @throws IOException when the address cannot be bound
     */
    public StatsdServer(InetSocketAddress address, Duration flushInterval, StatsdAggregator aggregator,
            IngestPipeline pipeline, MeterRegistry registry, LongSupplier clock) throws IOException {
        this.aggregator = aggregator;
        this.pipeline = pipeline;
        this.registry = registry;
        this.clock = clock;
        this.channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(address);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        packets = Counter.builder("sightline.statsd.packets").description("StatsD datagrams received.").register(registry);
        events = Counter.builder("sightline.statsd.events").description("StatsD lines aggregated.").register(registry);
        Gauge.builder("sightline.statsd.series", aggregator, StatsdAggregator::series)
                .description("StatsD series held by the aggregator (name and tags).").register(registry);
        receiver = new Thread(this::receiveLoop, "statsd-receive");
        receiver.setDaemon(true);
        receiver.start();
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "statsd-flush");
            t.setDaemon(true);
            return t;
        });
        long ms = flushInterval.toMillis();
        flusher.scheduleAtFixedRate(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the StatsD socket is closed", e);
        }
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed) {
            buf.clear();
            try {
                channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.atWarn().addKeyValue("reason", e.getMessage()).log("statsd: receive failed");
                }
                continue;
            }
            packets.increment();
            handle(buf.array(), buf.position());
        }
    }

    /** Parses one datagram's lines into the aggregator. */
    void handle(byte[] data, int length) {
        String whole = RequestBodies.utf8OrNull(data, 0, length);
        if (whole != null) {
            StatsdParser.parse(whole, sink(0));
            return;
        }
        for (io.sightline.ingest.Lines.OfBytes l = new io.sightline.ingest.Lines.OfBytes(data, 0, length); l.next(); ) {
            String line = RequestBodies.utf8OrNull(data, l.start(), l.length());
            if (line == null) {
                refused(StatsdParser.Reason.INVALID_UTF8.tag(), "line " + l.number() + ": not valid UTF-8");
            } else {
                StatsdParser.parse(line, sink(l.number() - 1));
            }
        }
    }

    private StatsdParser.Sink sink(int lineOffset) {
        return new StatsdParser.Sink() {
            @Override
            public void event(StatsdEvent e) {
                if (e.tagsDropped() > 0) {
                    Counter.builder("sightline.statsd.tags.dropped")
                            .description("DogStatsD tags not made labels (no value, empty, reserved names).")
                            .register(registry).increment(e.tagsDropped());
                }
                StatsdAggregator.Outcome o = aggregator.observe(e);
                if (o == StatsdAggregator.Outcome.ACCEPTED) {
                    events.increment();
                } else {
                    StatsdServer.this.refused(o.tag(), e.name() + ": " + describe(o));
                }
            }

            @Override
            public void refused(int lineNo, io.sightline.ingest.LineRefused r) {
                StatsdServer.this.refused(r.reason().tag(), "line " + (lineNo + lineOffset) + ": " + r.getMessage());
            }
        };
    }

    private String describe(StatsdAggregator.Outcome o) {
        return switch (o) {
            case TYPE_CONFLICT -> "the name is taken by another metric type (or by a timer's _sum, _count, _bucket)";
            case SERIES_LIMIT -> "the aggregator holds listeners.statsd.max_series (" + aggregator.options().maxSeries()
                    + ") series already";
            case RESERVED_LABEL -> "a timer cannot have a tag named le or quantile";
            case ACCEPTED -> "accepted";
        };
    }

    private void refused(String reason, String message) {
        Counter.builder("sightline.statsd.lines.refused").description("StatsD lines refused, by reason.")
                .tag("reason", reason).register(registry).increment();
        if (logNow()) {
            log.atWarn().addKeyValue("reason", message)
                    .log("statsd: line refused (further refusals this minute are only counted)");
        }
    }

    /** At most one warning a minute, whatever its kind. */
    private synchronized boolean logNow() {
        long now = System.currentTimeMillis();
        if (now - lastLogged < LOG_EVERY_MS) {
            return false;
        }
        lastLogged = now;
        return true;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("statsd: flush failed");
        }
    }

    /**
     * Writes the aggregated series now, with the current time. When storage cannot take them (it opens,
     * the pipeline is full), this flush is skipped: counters and histograms are cumulative, so the next
     * flush carries what it would have.
     */
    public IngestPipeline.Outcome flush() {
        long t = clock.getAsLong();
        IngestPipeline.Outcome o = pipeline.store(new byte[0], PROTOCOL, (body, sink) -> aggregator.flush(t, sink)).join();
        if (o.kind() == IngestPipeline.Outcome.Kind.UNAVAILABLE) {
            log.atWarn().addKeyValue("reason", o.message()).log("statsd: flush skipped");
        } else if (o.rejected() > 0 && logNow()) {
            // A series the store refuses (a limit) is refused at every flush: say so once a minute.
            log.atWarn().addKeyValue("reason", o.summary()).log("statsd: storage refused some flushed samples");
        }
        return o;
    }

    /** Stops receiving, writes a last flush, and stops flushing. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        flusher.shutdown();
        try {
            receiver.join(2000);
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
