package io.sightline.bench;

import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.SeriesSink;
import io.sightline.ingest.remotewrite.RemoteWriteDecoder;
import io.sightline.testkit.remotewrite.WriteRequestBuilder;
import java.io.IOException;
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

/** Decoding a remote_write request of 500 series x 20 samples (snappy included), per sample. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RemoteWriteDecodeBenchmark {
    static final int SERIES = 500;
    static final int PER_SERIES = 20;

    byte[] body;
    RemoteWriteDecoder decoder = new RemoteWriteDecoder(64 << 20);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        WriteRequestBuilder b = new WriteRequestBuilder();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[PER_SERIES];
            double[] vs = new double[PER_SERIES];
            for (int k = 0; k < PER_SERIES; k++) {
                ts[k] = 1_700_000_000_000L + k * 15_000L;
                vs[k] = s * 1000 + k * 0.25;
            }
            b.series(new String[] {"__name__", "node_cpu_seconds_total", "instance", "host-" + (s % 28) + ":9100",
                "cpu", Integer.toString(s % 16), "mode", "m" + (s / 28), "job", "node"}, ts, vs);
        }
        body = Snappy.compress(b.build());
    }

    @Benchmark
    @OperationsPerInvocation(SERIES * PER_SERIES)
    public RemoteWriteDecoder.Result decode(Blackhole bh) throws MalformedRequestException {
        return decoder.decodeSnappy(body, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                bh.consume(labels);
                bh.consume(values[count - 1]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                bh.consume(reason);
            }
        });
    }
}
