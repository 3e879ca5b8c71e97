package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatChunkTest {

    private static void assertRoundTrip(long[] ts, double[] vs, int n, byte[] chunk) {
        DecimalChunkTest.assertSamples(FloatChunk.iterator(chunk), ts, vs, n);
    }

    private static double anyValue(Random r, double previous) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.longBitsToDouble(r.nextLong()); // any bits: NaN payloads too
            case 1 -> StaleNaN.VALUE;
            case 2 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : -0.0;
            case 3 -> previous;
            default -> previous * (1 + 0.3 * r.nextGaussian());
        };
    }

    @Test
    void anyFloats_roundTripBitExact_seeded() {
        Random r = new Random(17);
        for (int round = 0; round < 1500; round++) {
            int n = 1 + r.nextInt(r.nextBoolean() ? 4 : 2500);
            long[] ts = r.nextBoolean() ? DecimalChunkTest.jittered(r, n, r.nextLong() >> 3) : new long[n];
            if (ts[n - 1] == 0) {
                long t = r.nextLong() >> 1;
                for (int i = 0; i < n; i++) {
                    t += 1 + r.nextInt(60_000);
                    ts[i] = t;
                }
            }
            double[] vs = new double[n];
            double v = r.nextGaussian() * 1e3;
            for (int i = 0; i < n; i++) {
                v = anyValue(r, Double.isFinite(v) && v != 0 ? v : 1.5);
                vs[i] = v;
            }
            assertRoundTrip(ts, vs, n, FloatChunk.encode(ts, vs, n, 1 + r.nextInt(3)));
        }
    }

    @Test
    void jitteredNoisyFloats_takeFewerBytesThanXor_seeded() {
        Random r = new Random(23);
        int n = 2048;
        long[] ts = DecimalChunkTest.jittered(r, n, 1_796_000_000_000L);
        double[] vs = new double[n];
        XorChunk xor = new XorChunk();
        for (int i = 0; i < n; i++) {
            vs[i] = 0.004 * (1 + 0.3 * r.nextGaussian()); // a latency quantile: no decimal restores it
            xor.append(ts[i], vs[i]);
        }
        byte[] c = FloatChunk.encode(ts, vs, n, 3);
        assertRoundTrip(ts, vs, n, c);
        // The values cost the same in both; jittered timestamps about 9 bits per sample in XOR, 3 to 4 here.
        assertThat((xor.bytes().length - c.length) * 8.0 / n).as("bits per sample saved").isGreaterThan(4);
    }

    @Test
    void damagedChunks_failAsCorrupt_neverOtherwise_seeded() {
        Random r = new Random(29);
        int n = 400;
        long[] ts = DecimalChunkTest.jittered(r, n, 1_000_000L);
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            vs[i] = i % 50 == 0 ? StaleNaN.VALUE : Math.sin(i) * 1e3;
        }
        byte[] good = FloatChunk.encode(ts, vs, n, 3);
        DecimalChunkTest.assertDamageOnlyCorrupts(good, r, FloatChunk::iterator);
        assertThatThrownBy(() -> FloatChunk.iterator(new byte[0])).isInstanceOf(CorruptChunkException.class);
    }
}
