package io.sightline.tsdb.chunk;

/**
 * The Gorilla value encoding, shared by {@link XorChunk} (timestamps interleaved) and
 * {@link FloatChunk} (values only): the first value as 64 raw bits, then each value XOR'd with the
 * previous one: {@code 0} (same), {@code 10} + the meaningful bits in the current window, {@code 11} +
 * 5 bits of leading zeros (capped at 31) + 6 bits of length (64 written as 0) + the bits, which sets
 * the window.
 */
final class XorValues {
    private XorValues() {}

    /** Encoder state of one chunk; single writer. */
    static final class Writer {
        private long prev;
        private int leading = 0xFF;
        private int trailing;

        void first(BitWriter w, long bits) {
            w.writeBits(bits, 64);
            prev = bits;
        }

        /** The last value's bits. */
        long prev() {
            return prev;
        }

        /** The current window as {@link Reader#resume} takes it: leading zeros << 8 | trailing zeros (0 when unset). */
        int window() {
            return leading == 0xFF ? 0 : leading << 8 | trailing;
        }

        void next(BitWriter w, long bits) {
            long xor = bits ^ prev;
            prev = bits;
            if (xor == 0) {
                w.writeBit(false);
                return;
            }
            int lead = Math.min(Long.numberOfLeadingZeros(xor), 31);
            int trail = Long.numberOfTrailingZeros(xor);
            if (leading != 0xFF && lead >= leading && trail >= trailing) {
                w.writeBits(0b10, 2);
                w.writeBits(xor >>> trailing, 64 - leading - trailing);
            } else {
                leading = lead;
                trailing = trail;
                int sig = 64 - lead - trail;
                w.writeBits(0b11, 2);
                w.writeBits(lead, 5);
                w.writeBits(sig & 63, 6); // 64 is written as 0: a zero-length window never occurs
                w.writeBits(xor >>> trail, sig);
            }
        }
    }

    /** Decoder state of one iteration. */
    static final class Reader {
        private long bits;
        private int leading;
        private int trailing;

        long first(BitReader r) {
            bits = r.readBits(64);
            return bits;
        }

        /** Continues after a value whose bits and window ({@link Writer#window}) were kept by the writer. */
        void resume(long bits, int window) {
            this.bits = bits;
            this.leading = window >>> 8;
            this.trailing = window & 0xFF;
        }

        long next(BitReader r) {
            if (!r.readBit()) {
                return bits;
            }
            if (r.readBit()) {
                leading = (int) r.readBits(5);
                int sig = (int) r.readBits(6);
                if (sig == 0) {
                    sig = 64;
                }
                trailing = 64 - leading - sig;
                if (trailing < 0) {
                    throw new CorruptChunkException("value window of " + sig + " bits after " + leading + " zeros");
                }
            }
            bits ^= r.readBits(64 - leading - trailing) << trailing;
            return bits;
        }
    }
}
