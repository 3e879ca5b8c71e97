package io.sightline.ingest.remoteread;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.ingest.proto.ProtoReader;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Round trips through a decoder written from Prometheus's XOR iterator (chunkenc/xor.go's reading
 * rules), over counters, jittered gauges, NaN, huge timestamp jumps and negative times.
 */
class PromXorChunkTest {

    /** Reads Prometheus XOR chunks: the bit-level mirror of the format, kept apart from the encoder. */
    static final class Decoder {
        final byte[] b;
        int bit;
        final int n;
        long t;
        long delta;
        long valueBits;
        int leading;
        int trailing;
        int read;

        Decoder(byte[] chunk) {
            this.b = chunk;
            this.n = ((chunk[0] & 0xff) << 8) | (chunk[1] & 0xff);
            this.bit = 16;
        }

        long bits(int count) {
            long v = 0;
            for (int i = 0; i < count; i++) {
                int byteIndex = bit >>> 3;
                int shift = 7 - (bit & 7);
                v = (v << 1) | ((b[byteIndex] >>> shift) & 1);
                bit++;
            }
            return v;
        }

        long uvarint() {
            long x = 0;
            for (int s = 0; ; s += 7) {
                long by = bits(8);
                x |= (by & 0x7f) << s;
                if (by < 0x80) {
                    return x;
                }
            }
        }

        boolean next() {
            if (read == n) {
                return false;
            }
            if (read == 0) {
                long u = uvarint();
                t = (u >>> 1) ^ -(u & 1);
                valueBits = bits(64);
            } else if (read == 1) {
                delta = uvarint();
                t += delta;
                readValue();
            } else {
                int prefix = 0;
                while (prefix < 4 && bits(1) == 1) {
                    prefix++;
                }
                long dod = switch (prefix) {
                    case 0 -> 0;
                    case 1 -> signExtend(bits(14), 14);
                    case 2 -> signExtend(bits(17), 17);
                    case 3 -> signExtend(bits(20), 20);
                    default -> bits(64);
                };
                delta += dod;
                t += delta;
                readValue();
            }
            read++;
            return true;
        }

        /** Prometheus reads nbits and treats values above 2^(n-1) as negative. */
        static long signExtend(long v, int nbits) {
            if (v > (1L << (nbits - 1))) {
                v -= 1L << nbits;
            }
            return v;
        }

        void readValue() {
            if (bits(1) == 0) {
                return;
            }
            if (bits(1) == 1) {
                leading = (int) bits(5);
                int sig = (int) bits(6);
                if (sig == 0) {
                    sig = 64;
                }
                trailing = 64 - leading - sig;
            }
            int sig = 64 - leading - trailing;
            valueBits ^= bits(sig) << trailing;
        }
    }

    @Test
    void roundTrip_variedShapes() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(PromXorChunk.MAX_SAMPLES);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long t = rnd.nextBoolean() ? -rnd.nextInt(1_000_000) : 1_795_000_000_000L + rnd.nextInt(100_000);
            double v = rnd.nextInt(1000);
            for (int i = 0; i < n; i++) {
                switch (rnd.nextInt(6)) {
                    case 0 -> t += 15_000;
                    case 1 -> t += 15_000 + rnd.nextInt(5) - 2;
                    case 2 -> t += rnd.nextInt(1 << 19);
                    case 3 -> t += 1L + rnd.nextInt(Integer.MAX_VALUE) * 1000L;
                    default -> t += 1 + rnd.nextInt(100);
                }
                switch (rnd.nextInt(5)) {
                    case 0 -> v += rnd.nextInt(10);
                    case 1 -> v = rnd.nextGaussian() * 1e6;
                    case 2 -> v = Double.NaN;
                    case 3 -> v = Double.longBitsToDouble(0x7ff0000000000002L);
                    default -> { }
                }
                ts[i] = t;
                vs[i] = v;
            }
            PromXorChunk c = new PromXorChunk();
            for (int i = 0; i < n; i++) {
                c.append(ts[i], vs[i]);
            }
            Decoder d = new Decoder(c.bytes());
            assertThat(d.n).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(d.next()).isTrue();
                assertThat(d.t).as("seed %d round %d sample %d", seed, round, i).isEqualTo(ts[i]);
                assertThat(d.valueBits).as("seed %d round %d sample %d", seed, round, i)
                        .isEqualTo(Double.doubleToRawLongBits(vs[i]));
            }
            assertThat(d.next()).isFalse();
        }
    }

    @Test
    void frame_hasLengthChecksumAndChunks() throws Exception {
        long[] ts = new long[250];
        double[] vs = new double[250];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 1_000 + i * 15_000L;
            vs[i] = i;
        }
        byte[] frame = RemoteRead.chunkedFrame(3, new RemoteRead.Series(Labels.of("__name__", "up"), ts, vs));
        ProtoReader r = new ProtoReader(frame, 0, frame.length, "frame");
        int len = (int) r.varint();
        int at = r.position();
        long crc = ((frame[at] & 0xffL) << 24) | ((frame[at + 1] & 0xffL) << 16) | ((frame[at + 2] & 0xffL) << 8)
                | (frame[at + 3] & 0xffL);
        java.util.zip.CRC32C check = new java.util.zip.CRC32C();
        check.update(frame, at + 4, len);
        assertThat(crc).isEqualTo(check.getValue());
        assertThat(frame.length).isEqualTo(at + 4 + len);
        ProtoReader msg = new ProtoReader(frame, at + 4, frame.length, "message");
        assertThat(msg.varint()).isEqualTo((1 << 3) | 2);
        ProtoReader series = msg.message();
        assertThat(msg.varint()).isEqualTo(2 << 3);
        assertThat(msg.varint()).isEqualTo(3);
        int chunks = 0;
        int samples = 0;
        while (series.hasMore()) {
            long key = series.varint();
            ProtoReader m = series.message();
            if (key >>> 3 == 2) {
                chunks++;
                long min = 0;
                long max = 0;
                byte[] data = null;
                while (m.hasMore()) {
                    long k = m.varint();
                    switch ((int) (k >>> 3)) {
                        case 1 -> min = m.varint();
                        case 2 -> max = m.varint();
                        case 3 -> assertThat(m.varint()).isEqualTo(1);
                        default -> {
                            int l = m.length();
                            data = java.util.Arrays.copyOfRange(frame, m.position(), m.position() + l);
                            m.position(m.position() + l);
                        }
                    }
                }
                Decoder d = new Decoder(data);
                long first = -1;
                long last = -1;
                while (d.next()) {
                    if (first < 0) {
                        first = d.t;
                    }
                    last = d.t;
                    samples++;
                }
                assertThat(first).isEqualTo(min);
                assertThat(last).isEqualTo(max);
            }
        }
        assertThat(chunks).isEqualTo(3);
        assertThat(samples).isEqualTo(250);
    }
}
