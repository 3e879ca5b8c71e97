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

    /**
     * The rounding error of {@code t = sum + inc}, exactly: {@code (sum + inc) - t} in real numbers, for finite
     * {@code sum}, {@code inc} and {@code t}. Knuth's TwoSum, without a branch. Prometheus's compensation adds
     * {@code (sum - t) + inc} or {@code (inc - t) + sum}, the larger addend first: Dekker's Fast2Sum, which gives the
     * same exact error. An exact error is one number, so both give the same bits, except that a zero error may come
     * with either sign; added to a compensation that starts at +0 and is never -0 (a sum of floats that is exactly
     * zero is +0), a zero of either sign leaves it as it is. One case differs: with an addend near the largest double,
     * a difference inside may overflow, and the result is then infinite or NaN where Prometheus's is finite. Callers
     * check that their compensations end finite and otherwise sum again with {@link #add}.
     */
    static double roundingError(double sum, double inc, double t) {
        double incPart = t - sum;
        return (sum - (t - incPart)) + (inc - incPart);
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
