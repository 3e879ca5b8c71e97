package io.sightline.tsdb;

/**
 * Rounds sample values to a number of significant decimal digits before they are stored, when a user
 * trades exactness for disk ({@code storage.tsdb.significant_digits}): a value such as
 * {@code 0.0041825937155214} becomes {@code 0.00418259371552} at 12 digits, which a block stores as a
 * decimal (about 5 bytes) instead of 64 XOR'd bits (about 7 bytes). VictoriaMetrics stores every
 * non-integer this way, at 12 digits.
 *
 * <p>Integers (below 2^53) and special values (NaN and its payloads, the stale marker, infinities,
 * zeros) are kept as they are, as are values smaller than 10^-(23-digits) in magnitude (a decimal
 * could not restore them anyway). Values with more than {@code digits} digits before the point are
 * rounded to an integer. The result is the double nearest to the rounded decimal, and rounding it again
 * returns it unchanged. Thread-safe; no state.
 */
public final class SignificantDigits {
    /** No rounding: values are stored bit for bit. */
    public static final int EXACT = 0;
    public static final int MAX = 15;
    private static final int MAX_SCALE = 22; // 10^22 is the largest power of ten a double holds exactly
    private static final double[] POW10 = new double[MAX_SCALE + 1];
    private static final double INTEGER_LIMIT = 9007199254740992.0; // 2^53

    static {
        double p = 1;
        for (int i = 0; i <= MAX_SCALE; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private SignificantDigits() {}

    /** Checks a configured number of digits: {@link #EXACT} or 1 to {@link #MAX}. */
    public static int check(int digits) {
        if (digits < EXACT || digits > MAX) {
            throw new IllegalArgumentException(
                    "significant_digits must be 0 (exact) or 1 to " + MAX + ", got " + digits);
        }
        return digits;
    }

    /** {@code v} rounded to {@code digits} significant digits as described above; {@code v} for {@link #EXACT}. */
    public static double round(double v, int digits) {
        if (digits == EXACT || v == 0 || !Double.isFinite(v)) {
            return v;
        }
        double r = Math.rint(v);
        if (r == v && Math.abs(v) < INTEGER_LIMIT) {
            return v;
        }
        int exponent = (int) Math.floor(Math.log10(Math.abs(v)));
        int scale = digits - 1 - exponent;
        if (scale <= 0) {
            return Math.abs(v) < INTEGER_LIMIT ? r : v;
        }
        if (scale > MAX_SCALE) {
            return v;
        }
        return Math.rint(v * POW10[scale]) / POW10[scale];
    }
}
