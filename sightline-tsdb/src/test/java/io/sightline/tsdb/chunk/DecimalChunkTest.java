package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalChunkTest {

    private static void assertRoundTrip(long[] ts, double[] vs, int n, byte[] chunk) {
        SampleIterator it = DecimalChunk.iterator(chunk);
        for (int i = 0; i < n; i++) {
            assertThat(it.next()).isTrue();
            assertThat(it.timestamp()).isEqualTo(ts[i]);
            assertThat(Double.doubleToRawLongBits(it.value())).as("value %d: %s", i, vs[i])
                    .isEqualTo(Double.doubleToRawLongBits(vs[i]));
        }
        assertThat(it.next()).isFalse();
    }

    @Test
    void decimalSeries_roundTripBitExact_andAreSmall_seeded() {
        Random r = new Random(42);
        for (int round = 0; round < 400; round++) {
            int n = 1 + r.nextInt(3000);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long t = r.nextLong() >> 20;
            int kind = r.nextInt(5);
            long counter = r.nextInt(1000);
            for (int i = 0; i < n; i++) {
                t += r.nextInt(10) == 0 ? 1 + r.nextInt(100_000) : 15_000;
                ts[i] = t;
                counter += r.nextInt(20);
                vs[i] = switch (kind) {
                    case 0 -> counter; // integer counter
                    case 1 -> counter / 100.0; // centiseconds
                    case 2 -> (r.nextInt(2000) - 1000) * 4096.0; // byte gauge
                    case 3 -> Math.round(r.nextGaussian() * 1e6) / 1000.0; // three decimals, negative too
                    default -> 1e15 + counter; // large integers
                };
            }
            byte[] c = DecimalChunk.encode(ts, vs, n, 3);
            assertThat(c).as("round %d kind %d", round, kind).isNotNull();
            assertRoundTrip(ts, vs, n, c);
            if (kind == 0 && n > 500) {
                assertThat((double) c.length / n).as("bytes per sample of a counter").isLessThan(1.5);
            }
        }
    }

    @Test
    void valuesItCannotRestoreExactly_areRefused() {
        long[] ts = {1, 2, 3};
        for (double odd : new double[] {StaleNaN.VALUE, Double.NaN, Double.POSITIVE_INFINITY, -0.0, Math.PI, 1e300,
                Double.MIN_VALUE, 0.1 + 0.2}) {
            double[] vs = {1, odd, 2};
            byte[] c = DecimalChunk.encode(ts, vs, 3, 3);
            if (c != null) {
                // Allowed only when it restores the same bits (pi does: 3141592653589793 / 10^15).
                assertRoundTrip(ts, vs, 3, c);
            }
        }
        assertThat(DecimalChunk.encode(ts, new double[] {1, StaleNaN.VALUE, 2}, 3, 3)).isNull();
        assertThat(DecimalChunk.encode(ts, new double[] {1, -0.0, 2}, 3, 3)).isNull();
        assertThat(DecimalChunk.encode(ts, new double[] {1, 1.0 / 3, 2}, 3, 3)).isNull();
    }

    @Test
    void randomDoubles_eitherRefusedOrExact_seeded() {
        Random r = new Random(7);
        for (int round = 0; round < 2000; round++) {
            int n = 1 + r.nextInt(50);
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = i * 1000L + r.nextInt(999);
                vs[i] = switch (r.nextInt(4)) {
                    case 0 -> Double.longBitsToDouble(r.nextLong());
                    case 1 -> r.nextInt(100) / Math.pow(10, r.nextInt(18));
                    case 2 -> (double) r.nextLong();
                    default -> r.nextDouble() * 1e-5;
                };
            }
            byte[] c = DecimalChunk.encode(ts, vs, n, 1);
            if (c != null) {
                assertRoundTrip(ts, vs, n, c);
            }
        }
    }

    @Test
    void damagedChunks_failAsCorrupt_neverOtherwise_seeded() {
        long[] ts = new long[500];
        double[] vs = new double[500];
        for (int i = 0; i < 500; i++) {
            ts[i] = i * 15_000L;
            vs[i] = i * 3;
        }
        byte[] good = DecimalChunk.encode(ts, vs, 500, 3);
        Random r = new Random(3);
        for (int round = 0; round < 3000; round++) {
            byte[] bad = good.clone();
            int flips = 1 + r.nextInt(3);
            for (int f = 0; f < flips; f++) {
                bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
            }
            if (r.nextInt(5) == 0) {
                bad = java.util.Arrays.copyOf(bad, r.nextInt(bad.length));
            }
            try {
                SampleIterator it = DecimalChunk.iterator(bad);
                while (it.next()) {
                    it.value();
                }
            } catch (CorruptChunkException expected) {
                // the only failure allowed
            }
        }
        assertThatThrownBy(() -> DecimalChunk.iterator(new byte[0])).isInstanceOf(CorruptChunkException.class);
    }
}
