package io.sightline.tsdb.block;

import java.security.SecureRandom;

/** ULIDs (48-bit millisecond time, 80 random bits, Crockford base32): block ids that sort by creation time. */
final class Ulid {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ulid() {}

    static String next() {
        return of(System.currentTimeMillis(), RANDOM);
    }

    static String of(long millis, java.util.Random random) {
        char[] out = new char[26];
        long t = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            out[i] = ALPHABET[random.nextInt(32)];
        }
        return new String(out);
    }

    static boolean looksLikeOne(String s) {
        if (s.length() != 26) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (java.util.Arrays.binarySearch(ALPHABET, s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
