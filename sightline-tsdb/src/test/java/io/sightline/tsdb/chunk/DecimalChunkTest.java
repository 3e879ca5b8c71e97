package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalChunkTest {

    private static void assertRoundTrip(long[] ts, double[] vs, int n, byte[] chunk) {
        assertSamples(DecimalChunk.iterator(chunk), ts, vs, n);
    }

    /** The iterator gives exactly these samples, values bit for bit. */
    static void assertSamples(SampleIterator it, long[] ts, double[] vs, int n) {
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

    /** Timestamps as a sender without alignment makes them: a 15 s grid, ±2 ms, a late scrape now and then. */
    static long[] jittered(Random r, int n, long start) {
        long[] ts = new long[n];
        long base = start;
        for (int i = 0; i < n; i++) {
            base += r.nextInt(200) == 0 ? 15_000L * (2 + r.nextInt(50)) : 15_000L; // missed scrapes, restarts
            long t = base + r.nextInt(5) - 2 + (r.nextInt(100) == 0 ? 3 + r.nextInt(38) : 0);
            ts[i] = i == 0 ? t : Math.max(t, ts[i - 1] + 1);
        }
        return ts;
    }

    /** The grid step the writer would take; 1 for chunks too short to have a median interval. */
    private static long gridOf(long[] ts, int n) {
        return n < 2 ? 1 : DecimalChunk.medianInterval(ts, n);
    }

    private static long[] decodeTimestamps(long[] ts, int n, int mode) {
        DecimalChunk.Out out = new DecimalChunk.Out(16);
        DecimalChunk.writeTimestamps(out, ts, n, mode == DecimalChunk.TS_DOD ? 0 : gridOf(ts, n));
        byte[] b = out.b.toByteArray();
        DecimalChunk.In in = new DecimalChunk.In(b, 0, b.length);
        long[] back = new long[n];
        DecimalChunk.readTimestamps(in, back, n, mode);
        assertThat(in.pos).as("bytes read").isEqualTo(b.length);
        return back;
    }

    @Test
    void timestamps_roundTripInBothModes_whateverTheirShape_seeded() {
        Random r = new Random(11);
        for (int round = 0; round < 3000; round++) {
            int n = 1 + r.nextInt(r.nextBoolean() ? 5 : 700);
            long[] ts = switch (r.nextInt(4)) {
                case 0 -> jittered(r, n, r.nextLong() >> 2);
                case 1 -> {
                    long[] a = new long[n]; // irregular intervals of any size, near the ends of the long range
                    long t = r.nextBoolean() ? Long.MIN_VALUE + r.nextInt(1000) : Long.MAX_VALUE - ((long) n << 40);
                    for (int i = 0; i < n; i++) {
                        t += 1 + (r.nextBoolean() ? r.nextInt(3) : (r.nextLong() >>> 26));
                        a[i] = t;
                    }
                    yield a;
                }
                case 2 -> {
                    long[] a = new long[n]; // exactly on a grid
                    for (int i = 0; i < n; i++) {
                        a[i] = 1_700_000_000_000L + i * 10_000L;
                    }
                    yield a;
                }
                default -> {
                    long[] a = new long[n]; // consecutive milliseconds with bursts
                    long t = r.nextInt(1000);
                    for (int i = 0; i < n; i++) {
                        t += r.nextInt(10) == 0 ? 1 + r.nextInt(1_000_000) : 1;
                        a[i] = t;
                    }
                    yield a;
                }
            };
            for (int mode : new int[] {DecimalChunk.TS_DOD, DecimalChunk.TS_GRID}) {
                assertThat(decodeTimestamps(ts, n, mode)).as("round %d mode %d", round, mode).isEqualTo(ts);
            }
        }
    }

    @Test
    void jitteredTimestamps_takeGridOffsets_alignedOnesDeltasOfDeltas_seeded() {
        Random r = new Random(5);
        long[] jitter = jittered(r, 2048, 1_796_000_000_000L);
        long[] aligned = new long[2048];
        for (int i = 0; i < aligned.length; i++) {
            aligned[i] = 1_796_000_000_000L + i * 15_000L + (i == 700 ? 12 : 0); // one late scrape
        }
        assertThat(DecimalChunk.gridStep(jitter, 2048)).as("grid offsets, step 15 s").isEqualTo(15_000);
        assertThat(DecimalChunk.gridStep(aligned, 2048)).as("deltas of deltas").isZero();

        double[] counter = new double[2048];
        for (int i = 1; i < counter.length; i++) {
            counter[i] = counter[i - 1] + r.nextInt(3);
        }
        assertRoundTrip(jitter, counter, 2048, DecimalChunk.encode(jitter, counter, 2048, 3));
        // ±2 ms is log2(5) = 2.3 bits per sample at best; deltas of deltas spread over nine values.
        int grid = compressedTimestamps(jitter, DecimalChunk.TS_GRID);
        int dod = compressedTimestamps(jitter, DecimalChunk.TS_DOD);
        assertThat((double) grid / dod).as("grid %d bytes, deltas of deltas %d", grid, dod).isLessThan(0.8);
    }

    private static int compressedTimestamps(long[] ts, int mode) {
        DecimalChunk.Out out = new DecimalChunk.Out(16);
        DecimalChunk.writeTimestamps(out, ts, ts.length, mode == DecimalChunk.TS_DOD ? 0 : gridOf(ts, ts.length));
        byte[] b = out.b.toByteArray();
        return io.sightline.tsdb.fileio.ZstdCodec.compress(b, 0, b.length, 3).length;
    }

    @Test
    void smallDecimals_upToScale22_areDecimal() {
        long[] ts = {1, 2, 3, 4};
        double[] vs = {1.23456789012e-10, 9.87654321098e-11, 5.5e-11, 1.2e-12};
        byte[] c = DecimalChunk.encode(ts, vs, 4, 3);
        assertThat(c).isNotNull();
        assertRoundTrip(ts, vs, 4, c);
        assertThat(DecimalChunk.scale(vs, 4)).isEqualTo(22);
        assertThat(DecimalChunk.encode(ts, new double[] {1e-23, 0, 0, 0}, 4, 3)).as("beyond 10^22").isNull();
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
        assertDamageOnlyCorrupts(good, new Random(3), DecimalChunk::iterator);
        assertThatThrownBy(() -> DecimalChunk.iterator(new byte[0])).isInstanceOf(CorruptChunkException.class);
    }

    /** Flipped bytes and truncations of a good chunk decode or fail as corrupt, never otherwise. */
    static void assertDamageOnlyCorrupts(byte[] good, Random r,
            java.util.function.Function<byte[], SampleIterator> decode) {
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
                SampleIterator it = decode.apply(bad);
                while (it.next()) {
                    it.value();
                }
            } catch (CorruptChunkException expected) {
                // the only failure allowed
            }
        }
    }
}
