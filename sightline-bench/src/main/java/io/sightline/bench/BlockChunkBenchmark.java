package io.sightline.bench;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.chunk.DecimalChunk;
import io.sightline.tsdb.chunk.FloatChunk;
import io.sightline.tsdb.chunk.PlaneChunk;
import io.sightline.tsdb.chunk.SharedTimestamps;
import io.sightline.tsdb.chunk.XorChunk;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Block chunks of 2,048 samples (a block's size): the planes encoding (written by head cuts and
 * compactions) and, for comparison, the decimal or float encoding it replaced and XOR, per sample. Also
 * reports the bytes per sample of each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlockChunkBenchmark {
    static final int N = 2048;

    /**
     * counter: integer increments on a 15 s grid with 1 % late scrapes; centis: a counter of 1/100 s; noisy:
     * full-precision floats (a latency quantile).
     */
    @Param({"counter", "centis", "noisy"})
    public String shape;

    long[] ts;
    double[] vs;
    /** The decimal encoding, or the float one for noisy values (no decimal restores them). */
    byte[] decimal;
    byte[] planes;
    byte[] xor;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(1);
        ts = new long[N];
        vs = new double[N];
        long t = 1_700_000_000_000L;
        long c = 1000;
        for (int i = 0; i < N; i++) {
            t += 15_000;
            c += r.nextInt(100);
            ts[i] = r.nextInt(100) == 0 ? t + 3 + r.nextInt(38) : t;
            vs[i] = switch (shape) {
                case "counter" -> c;
                case "centis" -> c / 100.0;
                default -> 0.004 * (1 + 0.3 * r.nextGaussian());
            };
        }
        decimal = encodeDecimal();
        planes = encodePlanes();
        xor = xorChunk(ts, vs);
        System.out.printf("%n%s: planes %.3f B/sample, %s %.3f B/sample, XOR %.3f B/sample%n", shape,
                planes.length / (double) N, shape.equals("noisy") ? "float" : "decimal", decimal.length / (double) N,
                xor.length / (double) N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public byte[] encodePlanes() {
        return PlaneChunk.encode(ts, vs, N, 3, -1);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iteratePlanes() {
        return drain(PlaneChunk.iterator(planes, SharedTimestamps.NONE));
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public byte[] encodeDecimal() {
        return shape.equals("noisy") ? FloatChunk.encode(ts, vs, N, 3) : DecimalChunk.encode(ts, vs, N, 3);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iterateDecimal() {
        return drain(shape.equals("noisy") ? FloatChunk.iterator(decimal) : DecimalChunk.iterator(decimal));
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iterateXor() {
        return drain(XorChunk.iterator(xor));
    }

    /** The head's encoding of the same samples, for comparison. */
    static byte[] xorChunk(long[] ts, double[] vs) {
        XorChunk x = new XorChunk();
        for (int i = 0; i < ts.length; i++) {
            x.append(ts[i], vs[i]);
        }
        return x.bytes();
    }

    /** Reads every sample, so that nothing is optimised away. */
    static double drain(SampleIterator it) {
        double sum = 0;
        while (it.next()) {
            sum += it.value() + it.timestamp();
        }
        return sum;
    }
}
