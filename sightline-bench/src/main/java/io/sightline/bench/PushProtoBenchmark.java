package io.sightline.bench;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.otlp.DeltaAccumulator;
import io.sightline.ingest.otlp.OtlpMetricsTranslator;
import io.sightline.ingest.remotewrite.RemoteWriteV2Decoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
import org.xerial.snappy.Snappy;

/**
 * The protobuf push formats added after remote write 1.0, per sample: a remote write 2.0 request of
 * 500 series x 20 samples (snappy included, as {@link RemoteWriteDecodeBenchmark}), and an OTLP
 * request of 10,000 cumulative-sum points (500 series x 20, protobuf parsing and translation to
 * Prometheus series).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PushProtoBenchmark {
    static final int SERIES = 500;
    static final int PER_SERIES = 20;

    byte[] rw2;
    byte[] otlp;
    final RemoteWriteV2Decoder v2 = new RemoteWriteV2Decoder(64 << 20);
    final OtlpMetricsTranslator translator = new OtlpMetricsTranslator(new DeltaAccumulator(3_600_000, 1_000_000));
    public double rw2BytesPerSample;
    public double otlpBytesPerSample;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<String> symbols = new ArrayList<>(List.of(""));
        ByteArrayOutputStream series = new ByteArrayOutputStream();
        CodedOutputStream so = CodedOutputStream.newInstance(series);
        Metric.Builder metric = Metric.newBuilder().setName("node.cpu.time").setUnit("s")
                .setSum(Sum.newBuilder().setIsMonotonic(true)
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
        for (int s = 0; s < SERIES; s++) {
            String[] labels = {"__name__", "node_cpu_seconds_total", "instance", "host-" + (s % 28) + ":9100",
                "cpu", Integer.toString(s % 16), "mode", "m" + (s / 28), "job", "node"};
            ByteArrayOutputStream ts = new ByteArrayOutputStream();
            CodedOutputStream to = CodedOutputStream.newInstance(ts);
            ByteArrayOutputStream refs = new ByteArrayOutputStream();
            CodedOutputStream ro = CodedOutputStream.newInstance(refs);
            for (String l : labels) {
                int i = symbols.indexOf(l);
                if (i < 0) {
                    symbols.add(l);
                    i = symbols.size() - 1;
                }
                ro.writeUInt32NoTag(i);
            }
            ro.flush();
            to.writeByteArray(1, refs.toByteArray());
            for (int k = 0; k < PER_SERIES; k++) {
                long t = 1_700_000_000_000L + k * 15_000L;
                double v = s * 1000 + k * 0.25;
                ByteArrayOutputStream sample = new ByteArrayOutputStream();
                CodedOutputStream sm = CodedOutputStream.newInstance(sample);
                sm.writeDouble(1, v);
                sm.writeInt64(2, t);
                sm.flush();
                to.writeByteArray(2, sample.toByteArray());
                metric.getSumBuilder().addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(t * 1_000_000L).setAsDouble(v)
                        .addAttributes(kv("cpu", Integer.toString(s % 16))).addAttributes(kv("mode", "m" + (s / 28)))
                        .addAttributes(kv("host", "host-" + (s % 28))));
            }
            to.flush();
            so.writeByteArray(5, ts.toByteArray());
        }
        so.flush();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        CodedOutputStream ro = CodedOutputStream.newInstance(req);
        for (String sym : symbols) {
            ro.writeString(4, sym);
        }
        ro.flush();
        req.write(series.toByteArray());
        rw2 = Snappy.compress(req.toByteArray());
        otlp = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "node")))
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric))).build().toByteArray();
        rw2BytesPerSample = rw2.length / (double) (SERIES * PER_SERIES);
        otlpBytesPerSample = otlp.length / (double) (SERIES * PER_SERIES);
    }

    private static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }

    private static SeriesSink sink(Blackhole bh) {
        return new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                bh.consume(labels);
                bh.consume(values[count - 1]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                throw new IllegalStateException(reason);
            }
        };
    }

    @Benchmark
    @OperationsPerInvocation(SERIES * PER_SERIES)
    public RemoteWriteV2Decoder.Result remoteWriteV2(Blackhole bh) throws MalformedRequestException {
        return v2.decodeSnappy(rw2, sink(bh));
    }

    @Benchmark
    @OperationsPerInvocation(SERIES * PER_SERIES)
    public long otlp(Blackhole bh) throws MalformedRequestException {
        return translator.translate(OtlpMetricsTranslator.parseProtobuf(otlp), 0, sink(bh));
    }
}
