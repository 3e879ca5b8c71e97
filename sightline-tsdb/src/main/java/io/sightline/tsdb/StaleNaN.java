package io.sightline.tsdb;

/**
 * Prometheus's stale marker: a NaN with a payload that no arithmetic produces, written when a series
 * disappears from a scrape. It must be compared by bits, never with {@code ==} or {@link Double#isNaN}.
 */
public final class StaleNaN {
    /** The bits of the marker, as in Prometheus's {@code value.StaleNaN}. */
    public static final long BITS = 0x7ff0000000000002L;
    public static final double VALUE = Double.longBitsToDouble(BITS);

    private StaleNaN() {}

    public static boolean is(double v) {
        return Double.doubleToRawLongBits(v) == BITS;
    }
}
