package io.sightline.bench;

import io.sightline.tsdb.chunk.FloatChunk;
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
 * Block chunks of 2,048 full-precision floats (what the decimal encoding declines: latency quantiles,
 * duration gauges): the float encoding blocks write, and the head's XOR chunk for comparison, per
 * sample. Also reports the bytes per sample of each.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FloatChunkBenchmark {
    static final int N = 2048;

    /** aligned: a 15 s grid with 1 % late scrapes; jitter: the same, every timestamp ±2 ms. */
    @Param({"aligned", "jitter"})
    public String timestamps;

    long[] ts;
    double[] vs;
    byte[] floats;
    byte[] xor;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(1);
        ts = new long[N];
        vs = new double[N];
        long t = 1_700_000_000_000L;
        for (int i = 0; i < N; i++) {
            t += 15_000;
            ts[i] = (r.nextInt(100) == 0 ? t + 3 + r.nextInt(38) : t)
                    + (timestamps.equals("jitter") ? r.nextInt(5) - 2 : 0);
            vs[i] = 0.0042 * (1 + 0.3 * r.nextGaussian());
        }
        floats = FloatChunk.encode(ts, vs, N, 3);
        xor = BlockChunkBenchmark.xorChunk(ts, vs);
        System.out.printf("%n%s: float %.3f B/sample, XOR %.3f B/sample%n", timestamps, floats.length / (double) N,
                xor.length / (double) N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public byte[] encodeFloat() {
        return FloatChunk.encode(ts, vs, N, 3);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iterateFloat() {
        return BlockChunkBenchmark.drain(FloatChunk.iterator(floats));
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iterateXor() {
        return BlockChunkBenchmark.drain(XorChunk.iterator(xor));
    }
}
