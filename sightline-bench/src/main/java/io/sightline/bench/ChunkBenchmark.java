package io.sightline.bench;

import io.sightline.tsdb.SampleIterator;
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
 * XOR chunk encoding and decoding of 120-sample chunks (a head chunk's size), per sample; and an instant query's
 * read of a chunk's last 20 samples (a 5-minute window at 15 s), from the head's view with its seek marks and from the
 * encoded bytes without them, per sample read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkBenchmark {
    static final int N = 120;

    /** counter: integer increments on a 15 s grid; gauge: full-precision floats with +-2 ms jitter. */
    @Param({"counter", "gauge"})
    public String shape;

    long[] ts;
    double[] vs;
    byte[] encoded;
    XorChunk.View view;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(1);
        ts = new long[N];
        vs = new double[N];
        long t = 1_700_000_000_000L;
        double v = 1000;
        for (int i = 0; i < N; i++) {
            boolean counter = shape.equals("counter");
            t += counter ? 15_000 : 15_000 + r.nextInt(5) - 2;
            v = counter ? v + r.nextInt(100) : r.nextGaussian() * 1e3;
            ts[i] = t;
            vs[i] = v;
        }
        XorChunk c = new XorChunk();
        for (int i = 0; i < N; i++) {
            c.append(ts[i], vs[i]);
        }
        encoded = c.bytes();
        view = c.view();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public XorChunk append() {
        XorChunk c = new XorChunk();
        for (int i = 0; i < N; i++) {
            c.append(ts[i], vs[i]);
        }
        return c;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double iterate() {
        SampleIterator it = XorChunk.iterator(encoded);
        double sum = 0;
        while (it.next()) {
            sum += it.value() + it.timestamp();
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(20)
    public double seekTail() {
        return tail(view.iterator());
    }

    @Benchmark
    @OperationsPerInvocation(20)
    public double seekTailEncoded() {
        return tail(XorChunk.iterator(encoded));
    }

    private double tail(SampleIterator it) {
        double sum = 0;
        if (it.seek(ts[N - 20])) {
            do {
                sum += it.value();
            } while (it.next());
        }
        return sum;
    }
}
