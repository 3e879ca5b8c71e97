package io.sightline.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bulk decode of decimal words ({@link DecimalChunk#decode(long[], int, int, double[])}), which multiplies and
 * corrects instead of dividing, against the division that defines the format: bit for bit, for every scale.
 */
class DecimalDecodeTest {
    private static final long MAX_WORD = (1L << 53) - 1;

    @Test
    void equalsTheQuotientForWordsOfEveryMagnitudeAndScale() {
        Random r = new Random(53);
        long[] w = new long[4096];
        for (int k = 0; k <= DecimalChunk.MAX_SCALE; k++) {
            for (int round = 0; round < 25; round++) {
                for (int i = 0; i < w.length; i++) {
                    long m = r.nextLong() >>> (11 + r.nextInt(53)); // below 2^53, every bit length
                    w[i] = r.nextBoolean() ? -m : m;
                }
                assertDecodesAsDivision(w, w.length, k);
            }
        }
    }

    /**
     * The hard cases: words whose quotient lies as close as an integer can to a midpoint between two doubles,
     * where a result off by one rounding would round the other way. A fast path without its correction fails
     * here.
     */
    @Test
    void equalsTheQuotientNextToMidpoints() {
        Random r = new Random(1014);
        long[] w = new long[3];
        for (int k = 1; k <= DecimalChunk.MAX_SCALE; k++) {
            BigDecimal d = BigDecimal.TEN.pow(k);
            for (int round = 0; round < 20_000; round++) {
                // a double below 2^53 / 10^k, of any magnitude down to 2^-30 of that, and the midpoint above it
                double limit = Math.scalb(MAX_WORD / Math.pow(10, k), -r.nextInt(31));
                double f = r.nextDouble() * limit;
                if (f == 0) {
                    continue;
                }
                BigDecimal mid = new BigDecimal(f).add(new BigDecimal(Math.ulp(f)).divide(BigDecimal.valueOf(2)));
                long m = mid.multiply(d).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
                for (int j = 0; j < 3; j++) {
                    w[j] = Math.min(MAX_WORD, Math.max(1, m - 1 + j));
                }
                assertDecodesAsDivision(w, 3, k);
            }
        }
    }

    /**
     * Closer still: for each scale and binade, the words whose quotient comes as close to a midpoint as any
     * can, {@code 1 / (2 * 5^k)} of an ulp. With {@code x = a / 10^k} in the binade whose midpoints are odd
     * multiples of {@code 2^-s}, {@code |x - M 2^-s| = |a 2^s - M 10^k| 2^-s / 10^k}; the integer {@code
     * a 2^s - M 10^k} is a multiple of {@code g = gcd(2^s, 10^k)}, and it is {@code r g} for the words {@code
     * a = r (2^s / g)^-1 mod (10^k / g)}.
     */
    @Test
    void equalsTheQuotientForTheWordsClosestToMidpoints() {
        Random r = new Random(49);
        long[] w = new long[64];
        for (int k = 1; k <= DecimalChunk.MAX_SCALE; k++) {
            BigInteger d = BigInteger.TEN.pow(k);
            for (int s = 1; s <= 130; s++) { // 2^53 / 10^22 is about 2^-20: binades down to 2^-73
                // x = a / d in [2^(53 - s), 2^(54 - s)): its ulp is 2^(1 - s), its midpoints odd multiples of 2^-s
                BigInteger lo = d.shiftLeft(53).shiftRight(s);
                BigInteger hi = d.shiftLeft(54).shiftRight(s).min(BigInteger.valueOf(MAX_WORD));
                if (lo.signum() == 0 || lo.compareTo(hi) >= 0) {
                    continue;
                }
                BigInteger g = BigInteger.TWO.pow(s).gcd(d);
                BigInteger modulus = d.divide(g);
                BigInteger inverse = modulus.equals(BigInteger.ONE) ? BigInteger.ZERO
                        : BigInteger.TWO.pow(s).divide(g).modInverse(modulus);
                int n = 0;
                for (int rem = -3; rem <= 3; rem++) {
                    BigInteger residue = BigInteger.valueOf(rem).multiply(inverse).mod(modulus);
                    BigInteger first = lo.add(residue.subtract(lo).mod(modulus));
                    BigInteger count = hi.subtract(first).add(modulus).subtract(BigInteger.ONE).divide(modulus);
                    for (int j = 0; j < 3 && count.signum() > 0; j++) {
                        long last = count.longValue() - 1;
                        long pick = j == 0 ? 0 : j == 1 ? last : (long) (r.nextDouble() * (last + 1));
                        long a = first.add(modulus.multiply(BigInteger.valueOf(pick))).longValueExact();
                        w[n++] = a;
                        w[n++] = -a;
                    }
                }
                assertDecodesAsDivision(w, n, k);
            }
        }
    }

    @Test
    void zeroAndTheLargestWords() {
        long[] w = {0, 1, -1, MAX_WORD, -MAX_WORD, MAX_WORD - 1, 999_999_999_999_999L, 5, 50, 500};
        for (int k = 0; k <= DecimalChunk.MAX_SCALE; k++) {
            assertDecodesAsDivision(w, w.length, k);
        }
    }

    private static void assertDecodesAsDivision(long[] w, int n, int k) {
        double[] vs = new double[n];
        DecimalChunk.decode(w, n, k, vs);
        for (int i = 0; i < n; i++) {
            double expected = k == 0 ? (double) w[i] : (double) w[i] / Math.pow(10, k);
            if (Double.doubleToRawLongBits(vs[i]) != Double.doubleToRawLongBits(expected)) {
                assertThat(vs[i]).as("word %d at scale %d (fused multiply-add: %s)", w[i], k, DecimalChunk.FMA)
                        .isEqualTo(expected);
            }
        }
    }
}
