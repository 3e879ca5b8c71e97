package io.sightline.server.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.ingest.graphite.GraphiteParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graphite's plaintext protocol over TCP (carbon's line receiver): {@code path value [timestamp]} lines,
 * mapped by {@link GraphiteParser}. One thread per connection, at most {@code maxConnections} at once
 * (one more is closed at once and counted): carbon relays and collectd-style agents hold a few long
 * connections.
 *
 * <p>A connection's lines are stored in batches through the {@link IngestPipeline} (so
 * {@code ingest.relabel_configs} and the storage limits apply): a batch ends when the sender pauses
 * (nothing more to read yet), at 1 MiB, or at the end of the stream, which then may end without a
 * newline. While storage cannot take a batch (it opens, or the pipeline is full), the connection stops
 * reading until it can: TCP pushes back on the sender and nothing read is dropped. Graphite has no
 * acknowledgement, so a sender cannot tell a stored line from a refused one: refused lines are counted
 * by reason ({@code sightline_graphite_lines_refused_total}) and the first of each connection is logged
 * with its line number, the rest summed up when the connection ends.
 */
public final class GraphiteServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GraphiteServer.class);
    /** A batch is stored once it holds this many bytes, even if the sender does not pause. */
    static final int MAX_BATCH_BYTES = 1 << 20;
    private static final String PROTOCOL = "graphite";
    private static final byte[] NEWLINE = {'\n'};

    private final ServerSocket socket;
    private final IngestPipeline pipeline;
    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final int maxConnections;
    /** A connection silent this long is closed (the sender reconnects), so idle ones cannot hold every slot. */
    static final int IDLE_TIMEOUT_MS = 5 * 60_000;

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> connectionThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private final Counter accepted;
    private final Counter refusedConnections;
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Binds and starts accepting.
     *
     * @param clock milliseconds since the epoch, the timestamp of lines that carry none
     * @throws IOException when the address cannot be bound
     */
    public GraphiteServer(InetSocketAddress address, int maxConnections, IngestPipeline pipeline, MeterRegistry registry,
            LongSupplier clock) throws IOException {
        this.pipeline = pipeline;
        this.registry = registry;
        this.clock = clock;
        this.maxConnections = maxConnections;
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address, 128);
        accepted = Counter.builder("sightline.graphite.connections").description("Graphite connections accepted.")
                .register(registry);
        refusedConnections = Counter.builder("sightline.graphite.connections.refused")
                .description("Graphite connections closed at once because listeners.graphite.max_connections were open.")
                .register(registry);
        Gauge.builder("sightline.graphite.connections.open", active, AtomicInteger::get)
                .description("Graphite connections open now.").register(registry);
        acceptor = new Thread(this::acceptLoop, "graphite-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        AtomicInteger ids = new AtomicInteger();
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.atWarn().addKeyValue("reason", e.getMessage()).log("graphite: accept failed");
                    try {
                        Thread.sleep(100); // e.g. out of file descriptors: do not spin
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                continue;
            }
            if (active.incrementAndGet() > maxConnections) {
                active.decrementAndGet();
                refusedConnections.increment();
                log.atWarn().addKeyValue("peer", s.getRemoteSocketAddress()).addKeyValue("max_connections", maxConnections)
                        .log("graphite: too many connections; closing the new one");
                closeQuietly(s);
                continue;
            }
            accepted.increment();
            open.add(s);
            Thread t = new Thread(() -> {
                try {
                    serve(s);
                } finally {
                    open.remove(s);
                    active.decrementAndGet();
                    closeQuietly(s);
                    connectionThreads.remove(Thread.currentThread());
                }
            }, "graphite-conn-" + ids.incrementAndGet());
            t.setDaemon(true);
            connectionThreads.add(t);
            t.start();
        }
    }

    /** Reads lines until the peer closes, storing them in batches. */
    private void serve(Socket s) {
        Connection c = new Connection(String.valueOf(s.getRemoteSocketAddress()));
        try {
            s.setSoTimeout(IDLE_TIMEOUT_MS);
            InputStream in = s.getInputStream();
            byte[] chunk = new byte[64 * 1024];
            int n;
            while ((n = in.read(chunk)) > 0) {
                c.take(chunk, n);
                if (c.complete() > 0 && (in.available() == 0 || c.complete() >= MAX_BATCH_BYTES)) {
                    store(c);
                }
            }
            c.endOfStream();
            if (c.complete() > 0) {
                store(c);
            }
        } catch (java.net.SocketTimeoutException e) {
            log.atDebug().addKeyValue("peer", c.peer).log("graphite: idle connection closed");
            if (c.complete() > 0) {
                store(c);
            }
        } catch (SocketException e) {
            if (!closed) {
                log.atDebug().addKeyValue("peer", c.peer).addKeyValue("reason", e.getMessage()).log("graphite: connection reset");
            }
        } catch (IOException e) {
            log.atWarn().addKeyValue("peer", c.peer).addKeyValue("reason", e.getMessage()).log("graphite: read failed");
        }
        if (c.refused > 0) {
            log.atWarn().addKeyValue("peer", c.peer).addKeyValue("lines", c.lineNo).addKeyValue("refused", c.refused)
                    .log("graphite: connection ended with lines refused");
        }
    }

    /** Stores the connection's batch, waiting while storage cannot take it; the batch is empty after. */
    private void store(Connection c) {
        byte[] body = Arrays.copyOf(c.batch, c.complete());
        int firstLine = c.batchFirstLine;
        c.clearBatch();
        long now = clock.getAsLong();
        while (true) { // at least once: what was read before a close is still stored
            IngestPipeline.Outcome o;
            try {
                o = pipeline.store(body, PROTOCOL, (b, sink) -> c.decode(b, firstLine, now, sink)).join();
            } catch (RuntimeException e) {
                log.atError().setCause(e).addKeyValue("peer", c.peer).log("graphite: storing a batch failed");
                return;
            }
            if (o.kind() != IngestPipeline.Outcome.Kind.UNAVAILABLE || closed) {
                if (o.kind() == IngestPipeline.Outcome.Kind.UNAVAILABLE) {
                    log.atWarn().addKeyValue("peer", c.peer).addKeyValue("reason", o.message())
                            .log("graphite: closing with a batch storage could not take; its lines are lost");
                    return;
                }
                if (o.rejected() > 0) {
                    c.refused += (int) o.rejected();
                    c.logFirst("graphite: samples refused by storage", o.summary());
                }
                return;
            }
            try {
                Thread.sleep(Math.min(1000L, o.retryAfter() * 1000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One connection's state: the line being read, the batch of complete lines, the counts. */
    private final class Connection {
        final String peer;
        byte[] batch = new byte[8192];
        int batchLength;
        int batchFirstLine = 1;
        /** Lines read so far, for the log. */
        int lineNo;
        /** Bytes of the current line not yet ended by a newline (they sit at the end of the batch). */
        int partial;
        boolean skippingLongLine;
        int refused;
        boolean logged;

        Connection(String peer) {
            this.peer = peer;
        }

        /**
         * Appends what was read to the batch. A line longer than the limit is refused as soon as it is,
         * and skipped up to its newline; an empty line takes its place, so that line numbers stay right.
         */
        void take(byte[] chunk, int n) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                if (skippingLongLine) {
                    skippingLongLine = false;
                    append(NEWLINE, 0, 1);
                } else {
                    append(chunk, from, i + 1 - from);
                }
                partial = 0;
                from = i + 1;
            }
            if (from < n && !skippingLongLine) {
                append(chunk, from, n - from);
                partial += n - from;
                if (partial > GraphiteParser.MAX_LINE_LENGTH) {
                    batchLength -= partial;
                    partial = 0;
                    skippingLongLine = true;
                    refuse(GraphiteParser.Reason.TOO_LONG, lineNoOfBatchEnd() + 1, "line is longer than the limit of "
                            + GraphiteParser.MAX_LINE_LENGTH + " bytes");
                }
            }
        }

        /** Bytes of complete lines at the start of the batch: what a store takes. */
        int complete() {
            return batchLength - partial;
        }

        /** The number of the last complete line in the batch, as counted so far. */
        private int lineNoOfBatchEnd() {
            int count = 0;
            for (int i = 0; i < batchLength; i++) {
                if (batch[i] == '\n') {
                    count++;
                }
            }
            return batchFirstLine - 1 + count;
        }

        void endOfStream() {
            skippingLongLine = false;
            partial = 0; // a last line without a newline is taken as it is
        }

        private void append(byte[] src, int from, int len) {
            if (batchLength + len > batch.length) {
                batch = Arrays.copyOf(batch, Math.max(batch.length * 2, batchLength + len));
            }
            System.arraycopy(src, from, batch, batchLength, len);
            batchLength += len;
        }

        void clearBatch() {
            // The complete lines leave; a line still being read (bytes after the last newline) stays.
            int keepFrom = batchLength - partial;
            int lines = 0;
            for (int i = 0; i < keepFrom; i++) {
                if (batch[i] == '\n') {
                    lines++;
                }
            }
            System.arraycopy(batch, keepFrom, batch, 0, partial);
            batchLength = partial;
            batchFirstLine += lines;
            if (batch.length > MAX_BATCH_BYTES * 2 && batchLength < 8192) {
                batch = Arrays.copyOf(batch, 8192);
            }
        }

        /** Decodes a batch (complete lines; the last may lack its newline at the end of the stream). */
        void decode(byte[] body, int firstLine, long now, io.sightline.ingest.SeriesSink sink) {
            long[] ts = new long[1];
            double[] vs = new double[1];
            int line = firstLine - 1;
            for (io.sightline.ingest.Lines.OfBytes l = new io.sightline.ingest.Lines.OfBytes(body, 0, body.length); l.next(); ) {
                line = firstLine - 1 + l.number();
                String text = RequestBodies.utf8OrNull(body, l.start(), l.length());
                if (text == null) {
                    refuse(GraphiteParser.Reason.INVALID_UTF8, line, "not valid UTF-8");
                } else {
                    try {
                        GraphiteParser.Sample s = GraphiteParser.parseLine(text, now);
                        if (s != null) {
                            ts[0] = s.timestampMs();
                            vs[0] = s.value();
                            sink.series(s.labels(), ts, vs, 1);
                            if (s.tagsDropped() > 0) {
                                Counter.builder("sightline.graphite.tags.dropped")
                                        .description("Graphite tags not made labels (the name tag, reserved label names).")
                                        .register(registry).increment(s.tagsDropped());
                            }
                        }
                    } catch (io.sightline.ingest.LineRefused e) {
                        refuse(e.reason(), line, e.getMessage());
                    }
                }
            }
            lineNo = Math.max(lineNo, line);
        }

        void refuse(io.sightline.ingest.LineRefused.Reason reason, int line, String message) {
            refused++;
            Counter.builder("sightline.graphite.lines.refused").description("Graphite lines refused, by reason.")
                    .tag("reason", reason.tag()).register(registry).increment();
            logFirst("graphite: line refused", "line " + line + ": " + message);
        }

        void logFirst(String what, String detail) {
            if (!logged) {
                logged = true;
                log.atWarn().addKeyValue("peer", peer).addKeyValue("reason", detail)
                        .log(what + " (further refusals of this connection are only counted)");
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }

    /**
     * Stops accepting and closes every connection; a connection's lines already read are stored before
     * its thread ends, which this waits for (5 s at most), so storage can close after.
     */
    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        try {
            acceptor.join(2000);
            // Connection threads end once their socket is closed, after storing what they read.
            for (Thread t : connectionThreads) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
