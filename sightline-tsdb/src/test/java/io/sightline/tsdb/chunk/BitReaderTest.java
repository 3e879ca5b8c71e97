package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BitReaderTest {

    /** Property: fields of random widths (0..64 bits) at every bit offset read back as written, up to the last bit. */
    @Test
    void fieldsOfEveryWidth_readBackAsWritten_atEveryOffset_seeded() {
        for (long seed = 1; seed <= 200; seed++) {
            Random r = new Random(seed);
            int fields = 1 + r.nextInt(60);
            int[] widths = new int[fields];
            long[] values = new long[fields];
            BitWriter w = new BitWriter(4);
            for (int i = 0; i < fields; i++) {
                widths[i] = r.nextInt(5) == 0 ? 64 - r.nextInt(8) : r.nextInt(65);
                long v = r.nextLong();
                values[i] = widths[i] == 64 ? v : v & ((1L << widths[i]) - 1);
                w.writeBits(values[i], widths[i]);
            }
            BitReader in = new BitReader(w.bytes(), 0, w.bitLength());
            for (int i = 0; i < fields; i++) {
                assertThat(in.readBits(widths[i])).as("seed %d, field %d of %d bits", seed, i, widths[i])
                        .isEqualTo(values[i]);
            }
            assertThatThrownBy(() -> in.readBits(1)).isInstanceOf(CorruptChunkException.class);
        }
    }

    /** Property: reads at random offsets of random arrays equal bit-by-bit extraction; never past the limit. */
    @Test
    void readsAtRandomOffsets_matchBitByBitExtraction_andStopAtTheLimit_seeded() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            byte[] buf = new byte[1 + r.nextInt(24)];
            r.nextBytes(buf);
            long limit = r.nextInt(buf.length * 8 + 1);
            long pos = r.nextInt((int) limit + 1);
            BitReader in = new BitReader(buf, pos, limit);
            while (true) {
                int n = r.nextInt(65);
                if (pos + n > limit) {
                    long at = pos;
                    assertThatThrownBy(() -> in.readBits(n)).as("seed %d", seed)
                            .isInstanceOf(CorruptChunkException.class).hasMessageContaining("bit " + at);
                    break;
                }
                long expected = 0;
                for (int b = 0; b < n; b++) {
                    long p = pos + b;
                    expected = (expected << 1) | ((buf[(int) (p >>> 3)] >>> (7 - (p & 7))) & 1);
                }
                assertThat(in.readBits(n)).as("seed %d: %d bits at %d", seed, n, pos).isEqualTo(expected);
                pos += n;
            }
        }
    }
}
