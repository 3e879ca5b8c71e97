package io.sightline.promql.engine;

/**
 * Compensated (Kahan-Babuska/Neumaier) summation as Prometheus uses it, so sums of many samples come
 * out the same to the last bits. Mutable; one per running sum. Callers that keep many sums in arrays
 * use {@link #compensation} directly.
 */
final class KahanSum {

    double sum;
    double c;

    void add(double inc) {
        double t = sum + inc;
        c = compensation(sum, inc, t, c);
        sum = t;
    }

    double value() {
        return Double.isInfinite(sum) ? sum : sum + c;
    }

    /** The compensation {@code c} becomes when {@code inc} is added to {@code sum}, giving {@code t}. */
    static double compensation(double sum, double inc, double t, double c) {
        if (Double.isInfinite(t)) {
            return 0;
        }
        if (Math.abs(sum) >= Math.abs(inc)) {
            return c + ((sum - t) + inc);
        }
        return c + ((inc - t) + sum);
    }
}
