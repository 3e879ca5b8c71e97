package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlaneChunkTest {

    private static void assertRoundTrip(long[] ts, double[] vs, int n, byte[] chunk) {
        DecimalChunkTest.assertSamples(PlaneChunk.iterator(chunk, SharedTimestamps.NONE), ts, vs, n);
    }

    private static long[] timestamps(Random r, int n) {
        if (r.nextBoolean()) {
            return DecimalChunkTest.jittered(r, n, r.nextLong() >> 3);
        }
        long[] ts = new long[n];
        long t = r.nextLong() >> 1;
        for (int i = 0; i < n; i++) {
            t += r.nextInt(8) == 0 ? 1 + r.nextInt(600_000) : 15_000;
            ts[i] = t;
        }
        return ts;
    }

    /** Values of one of many shapes: counters (with resets), decimals, gauges, noisy floats, special values. */
    private static double[] values(Random r, int n, int kind) {
        double[] vs = new double[n];
        double v = r.nextGaussian() * Math.pow(10, r.nextInt(12) - 4);
        long counter = r.nextInt(1000);
        for (int i = 0; i < n; i++) {
            counter = r.nextInt(500) == 0 ? 0 : counter + r.nextInt(r.nextInt(100) == 0 ? 100_000 : 50);
            vs[i] = switch (kind) {
                case 0 -> counter;
                case 1 -> counter / 1000.0;
                case 2 -> (r.nextInt(2000) - 1000) * 4096.0;
                case 3 -> v * (1 + 0.3 * r.nextGaussian()); // a latency quantile: full precision
                case 4 -> v += r.nextDouble() * 7.3; // a float counter
                case 5 -> switch (r.nextInt(6)) { // any bits: NaN payloads, stale markers, infinities, -0
                    case 0 -> Double.longBitsToDouble(r.nextLong());
                    case 1 -> StaleNaN.VALUE;
                    case 2 -> r.nextBoolean() ? Double.NEGATIVE_INFINITY : -0.0;
                    case 3 -> i > 0 ? vs[i - 1] : 1;
                    default -> r.nextGaussian();
                };
                case 6 -> r.nextBoolean() ? Long.MAX_VALUE >> r.nextInt(11) : -(double) (1L << 52) * r.nextInt(3);
                default -> 3.5; // constant
            };
        }
        return vs;
    }

    @Test
    void everyShapeOfValues_roundTripsBitExact_seeded() {
        Random r = new Random(31);
        for (int round = 0; round < 2500; round++) {
            int n = 1 + r.nextInt(r.nextBoolean() ? 5 : 2500);
            int kind = r.nextInt(8);
            long[] ts = timestamps(r, n);
            double[] vs = values(r, n, kind);
            byte[] chunk = PlaneChunk.encode(ts, vs, n, 1 + r.nextInt(3), -1);
            assertRoundTrip(ts, vs, n, chunk);
            assertThat(PlaneChunk.timestamps(chunk)).as("round %d", round).isEqualTo(ts);
        }
    }

    @Test
    void sharedTimestamps_areReadFromTheReferredChunk() {
        Random r = new Random(37);
        int n = 1000;
        long[] ts = timestamps(r, n);
        double[] vs = values(r, n, 1);
        byte[] chunk = PlaneChunk.encode(ts, vs, n, 3, 12345);
        SharedTimestamps shared = (ref, count) -> {
            assertThat(ref).isEqualTo(12345);
            assertThat(count).isEqualTo(n);
            return ts;
        };
        DecimalChunkTest.assertSamples(PlaneChunk.iterator(chunk, shared), ts, vs, n);
        assertThatThrownBy(() -> PlaneChunk.timestamps(chunk)).isInstanceOf(CorruptChunkException.class)
                .hasMessageContaining("no timestamps of its own");
    }

    /** The reason for the encoding: against the decimal and float encodings it replaces, on the same values. */
    @Test
    void countersAndNoisyFloats_takeFewerBytesThanTheEarlierEncodings_seeded() {
        Random r = new Random(41);
        int n = 2048;
        long[] ts = DecimalChunkTest.jittered(r, n, 1_796_000_000_000L);
        double[] counter = new double[n];
        double[] noisy = new double[n];
        long c = 1_000_000;
        for (int i = 0; i < n; i++) {
            c += 20_000 + r.nextInt(40_000); // bytes sent in 15 s
            counter[i] = c;
            noisy[i] = 0.004 * (1 + 0.3 * r.nextGaussian());
        }
        int planesCounter = PlaneChunk.encode(ts, counter, n, 3, 7).length;
        int decimalCounter = DecimalChunk.encode(ts, counter, n, 3, 7).length;
        int planesNoisy = PlaneChunk.encode(ts, noisy, n, 3, 7).length;
        int floatNoisy = FloatChunk.encode(ts, noisy, n, 3, 7).length;
        // a delta here is uniform over 40,000: 15.3 bits of entropy
        assertThat(planesCounter * 8.0 / n).as("bits per counter sample").isLessThan(16.5);
        assertThat(planesCounter).isLessThan(decimalCounter * 9 / 10);
        assertThat(planesNoisy).isLessThan(floatNoisy * 95 / 100);
    }

    @Test
    void damagedChunks_failAsCorrupt_neverOtherwise_seeded() {
        Random r = new Random(43);
        for (int kind : new int[] {0, 3, 5}) {
            int n = 300;
            long[] ts = DecimalChunkTest.jittered(r, n, 1_000_000L);
            byte[] good = PlaneChunk.encode(ts, values(r, n, kind), n, 3, -1);
            DecimalChunkTest.assertDamageOnlyCorrupts(good, r, b -> PlaneChunk.iterator(b, SharedTimestamps.NONE));
        }
        assertThatThrownBy(() -> PlaneChunk.iterator(new byte[0], SharedTimestamps.NONE))
                .isInstanceOf(CorruptChunkException.class);
    }
}
