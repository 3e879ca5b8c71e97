package io.sightline.ingest.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.common.Names;
import io.sightline.ingest.graphite.GraphiteParser;
import io.sightline.ingest.influx.LineProtocolParser;
import io.sightline.ingest.statsd.StatsdAggregator;
import io.sightline.ingest.statsd.StatsdEvent;
import io.sightline.ingest.statsd.StatsdParser;
import io.sightline.ingest.remotewrite.RemoteWriteDecoder;
import io.sightline.ingest.text.OpenMetricsParser;
import io.sightline.ingest.text.TextFormatParser;

/**
 * Coverage-guided fuzzing of every ingest parser (Jazzer). The property: a parser either decodes or
 * throws {@link MalformedRequestException}; anything else escaping is a finding (it would be a 500).
 * And a body that fails to decode must have handed nothing to the sink (nothing partial is stored).
 *
 * <p>In the test phase these run as regression tests on the inputs under
 * {@code ParserFuzzTestInputs/}; during {@code verify} each is fuzzed for a bounded time in its own
 * JVM (Jazzer fuzzes one test per JVM), see this module's POM.
 */
class ParserFuzzTest {
    /** Counts what reaches the sink and checks what it is given. */
    static class CheckingSink implements SeriesSink {
        int calls;

        @Override
        public void series(Labels labels, long[] timestamps, double[] values, int count) {
            calls++;
            if (labels.isEmpty() || count < 0 || count > timestamps.length || count > values.length) {
                throw new AssertionError("sink given an impossible series: " + labels + " count " + count);
            }
        }

        @Override
        public void invalid(String series, String reason, int samples) {
            calls++;
            if (reason == null || reason.isEmpty()) {
                throw new AssertionError("invalid series without a reason");
            }
        }

        @Override
        public void metadata(String family, String type, String help, String unit) {
            calls++;
            if (family.isEmpty() || type.isEmpty() || help == null || unit == null) {
                throw new AssertionError("sink given impossible metadata: " + family + " " + type);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void remoteWrite(byte[] data) {
        CheckingSink sink = new CheckingSink();
        try {
            new RemoteWriteDecoder(1 << 20).decode(data, 0, data.length, sink);
        } catch (MalformedRequestException e) {
            if (sink.calls != 0) {
                throw new AssertionError("a malformed request reached the sink", e);
            }
        }
        try {
            new RemoteWriteDecoder(1 << 20).decodeSnappy(data, new CheckingSink());
        } catch (MalformedRequestException expected) {
            // garbage is mostly not snappy
        }
    }

    @FuzzTest(maxDuration = "30s")
    void textFormat(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        CheckingSink sink = new CheckingSink();
        try {
            TextFormatParser.parse(text, 1_795_000_000_000L, sink);
        } catch (MalformedRequestException e) {
            if (sink.calls != 0) {
                throw new AssertionError("a malformed body reached the sink", e);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void openMetrics(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        CheckingSink sink = new CheckingSink();
        try {
            OpenMetricsParser.parse(text, 1_795_000_000_000L, sink);
        } catch (MalformedRequestException e) {
            if (sink.calls != 0) {
                throw new AssertionError("a malformed body reached the sink", e);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void influxLineProtocol(FuzzedDataProvider data) {
        String body = data.consumeRemainingAsString();
        for (LineProtocolParser.Precision p : LineProtocolParser.Precision.values()) {
            LineProtocolParser.parse(body, p, "db", 1_795_000_000_000L, new CheckingSink());
        }
    }

    /** Every line is a sample with a valid name or refused with a reason; nothing escapes. */
    @FuzzTest(maxDuration = "20s")
    void graphite(FuzzedDataProvider data) {
        String body = data.consumeRemainingAsString();
        CheckingSink sink = new CheckingSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                super.series(labels, timestamps, values, count);
                if (!Names.isValidMetricName(labels.metricName()) || count != 1) {
                    throw new AssertionError("graphite gave an invalid series: " + labels);
                }
            }
        };
        GraphiteParser.Result r = GraphiteParser.parse(body, 1_795_000_000_000L, sink);
        if (r.samples() + r.refused() != r.lines() || sink.calls != r.lines()) {
            throw new AssertionError("graphite lost a line: " + r + ", sink calls " + sink.calls);
        }
    }

    /** Parsing and aggregating any packet never throws, and a flush writes only valid series. */
    @FuzzTest(maxDuration = "20s")
    void statsd(FuzzedDataProvider data) {
        StatsdAggregator aggregator = new StatsdAggregator(new StatsdAggregator.Options(
                data.consumeBoolean() ? StatsdAggregator.TimerType.SUMMARY : StatsdAggregator.TimerType.HISTOGRAM,
                StatsdAggregator.Options.DEFAULT_QUANTILES, StatsdAggregator.Options.DEFAULT_BUCKETS, 1000), 1);
        String packet = data.consumeRemainingAsString();
        StatsdParser.parse(packet, new StatsdParser.Sink() {
            @Override
            public void event(StatsdEvent event) {
                aggregator.observe(event);
            }

            @Override
            public void refused(int lineNo, io.sightline.ingest.LineRefused refusal) {
                if (refusal.getMessage() == null || refusal.getMessage().isEmpty()) {
                    throw new AssertionError("refused without a reason");
                }
            }
        });
        aggregator.flush(1_795_000_000_000L, new CheckingSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                super.series(labels, timestamps, values, count);
                if (!Names.isValidMetricName(labels.metricName())) {
                    throw new AssertionError("statsd flushed an invalid name: " + labels);
                }
            }
        });
    }
}
