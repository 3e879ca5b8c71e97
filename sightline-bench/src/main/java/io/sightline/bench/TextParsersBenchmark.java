package io.sightline.bench;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.influx.LineProtocolParser;
import io.sightline.ingest.text.TextFormatParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The text parsers on 1,000 node_exporter-like lines: Prometheus exposition (one sample per line, with
 * HELP/TYPE comments), the same as OpenMetrics (timestamps in seconds, {@code # EOF}), Influx line
 * protocol (one measurement with 2 fields per line), Graphite plaintext (a dotted path with a tag and a
 * timestamp per line) and StatsD (DogStatsD timers with a tag, parsed and aggregated). Per sample
 * (per line for StatsD).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TextParsersBenchmark {
    static final int LINES = 1_000;

    String exposition;
    String openMetrics;
    String influx;
    String graphite;
    String statsd;
    /** Bytes per sample of each input, for throughput in bytes/s. */
    public double expositionBytesPerSample;
    public double influxBytesPerSample;
    public double graphiteBytesPerSample;
    public double statsdBytesPerLine;

    @Setup(Level.Trial)
    public void setUp() {
        StringBuilder e = new StringBuilder("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
                + "# TYPE node_cpu_seconds_total counter\n");
        StringBuilder i = new StringBuilder();
        StringBuilder g = new StringBuilder();
        StringBuilder sd = new StringBuilder();
        for (int k = 0; k < LINES; k++) {
            g.append("servers.h").append(k / 16).append(".cpu").append(k % 16).append(".user;dc=eu ")
                    .append(12345.67 + k).append(" 1795000000\n");
            sd.append("api.request.latency:").append(k % 500).append("|ms|#route:r").append(k % 16).append('\n');
            e.append("node_cpu_seconds_total{cpu=\"").append(k % 16).append("\",mode=\"m").append(k / 16)
                    .append("\"} ").append(12345.67 + k).append(" 1795000000000\n");
            i.append("cpu,cpu=cpu").append(k % 16).append(",host=h").append(k / 16).append(" usage_user=")
                    .append(1.5 + k).append(",usage_system=").append(k).append("i 1795000000000000000\n");
        }
        exposition = e.toString();
        openMetrics = exposition.replace(" 1795000000000\n", " 1795000000.000\n") + "# EOF\n";
        influx = i.toString();
        graphite = g.toString();
        statsd = sd.toString();
        graphiteBytesPerSample = graphite.length() / (double) LINES;
        statsdBytesPerLine = statsd.length() / (double) LINES;
        expositionBytesPerSample = exposition.length() / (double) LINES;
        influxBytesPerSample = influx.length() / (2.0 * LINES);
    }

    static SeriesSink sink(Blackhole bh) {
        return new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                bh.consume(labels);
                bh.consume(values[0]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                throw new IllegalStateException(reason);
            }
        };
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int exposition(Blackhole bh) throws MalformedRequestException {
        return TextFormatParser.parse(exposition, 0, sink(bh));
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int openMetrics(Blackhole bh) throws MalformedRequestException {
        return io.sightline.ingest.text.OpenMetricsParser.parse(openMetrics, 0, sink(bh));
    }

    @Benchmark
    @OperationsPerInvocation(2 * LINES)
    public LineProtocolParser.Result influx(Blackhole bh) {
        return LineProtocolParser.parse(influx, LineProtocolParser.Precision.NS, "db", 0, sink(bh));
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public io.sightline.ingest.graphite.GraphiteParser.Result graphite(Blackhole bh) {
        return io.sightline.ingest.graphite.GraphiteParser.parse(graphite, 0, sink(bh));
    }

    /** Parsing and aggregating (into a summary window) one datagram's worth of timer lines. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public int statsd() {
        io.sightline.ingest.statsd.StatsdAggregator a = aggregator;
        io.sightline.ingest.statsd.StatsdParser.parse(statsd, new io.sightline.ingest.statsd.StatsdParser.Sink() {
            @Override
            public void event(io.sightline.ingest.statsd.StatsdEvent event) {
                a.observe(event);
            }

            @Override
            public void refused(int lineNo, io.sightline.ingest.LineRefused refusal) {
                throw new IllegalStateException(refusal.getMessage());
            }
        });
        return a.series();
    }

    io.sightline.ingest.statsd.StatsdAggregator aggregator;

    /** A fresh aggregator per iteration: its summary windows fill, then sample, as on a busy server between flushes. */
    @Setup(Level.Iteration)
    public void newAggregator() {
        aggregator = new io.sightline.ingest.statsd.StatsdAggregator(
                io.sightline.ingest.statsd.StatsdAggregator.Options.defaults(), 1);
    }
}
