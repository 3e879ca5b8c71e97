package io.sightline.bench;

import io.sightline.common.AsciiBuilder;
import io.sightline.common.GoFloat;
import java.math.BigDecimal;
import java.util.SplittableRandom;
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
 * Sample values written as the query API writes them (Go's {@code 'f', -1}): 1,024 rates, i.e.
 * quotients of counter increases by a window, which need their 15 to 17 digits. {@code plain} is
 * {@link GoFloat#plain} (shortest digits by Schubfach); {@code asciiBuilder} is {@link AsciiBuilder#appendPlain}, the
 * same text as bytes into a reused buffer, as range results are written; {@code jdkBigDecimal} is the way it was
 * written before, {@code Double.toString} reshaped through {@code BigDecimal}. Per value.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ValueFormatBenchmark {
    static final int N = 1_024;
    double[] values = new double[N];
    private final AsciiBuilder ascii = new AsciiBuilder(32 * N);

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < N; i++) {
            values[i] = r.nextLong(1, 5_000_000) / 299.987;
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void plain(Blackhole bh) {
        for (double v : values) {
            bh.consume(GoFloat.plain(v));
        }
    }

    /** As the query API writes range results: into one reused byte buffer, no String per value. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void asciiBuilder(Blackhole bh) {
        ascii.clear();
        for (double v : values) {
            ascii.appendPlain(v).append(',');
        }
        bh.consume(ascii.length());
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void jdkBigDecimal(Blackhole bh) {
        for (double v : values) {
            bh.consume(new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString());
        }
    }
}
