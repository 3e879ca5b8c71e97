package io.sightline.promql.engine;

/**
 * Compensated (Kahan-Babuska/Neumaier) summation as Prometheus uses it, so sums of many samples come
 * out the same to the last bits. Mutable; one per running sum.
 */
final class KahanSum {

    double sum;
    double c;

    void add(double inc) {
        double t = sum + inc;
        if (Double.isInfinite(t)) {
            c = 0;
        } else if (Math.abs(sum) >= Math.abs(inc)) {
            c += (sum - t) + inc;
        } else {
            c += (inc - t) + sum;
        }
        sum = t;
    }

    double value() {
        return Double.isInfinite(sum) ? sum : sum + c;
    }

    /** One Kahan step for callers that keep sum and compensation themselves: returns {sum, c}. */
    static double[] inc(double inc, double sum, double c) {
        double t = sum + inc;
        if (Double.isInfinite(t)) {
            c = 0;
        } else if (Math.abs(sum) >= Math.abs(inc)) {
            c += (sum - t) + inc;
        } else {
            c += (inc - t) + sum;
        }
        return new double[] {t, c};
    }
}
