package io.sightline.promql.engine;

/** Prometheus's compensated summation written out as in promql/functions.go, for tests to compare against. */
final class PrometheusKahan {

    private PrometheusKahan() {}

    /** Prometheus's kahanSumInc: the new sum and compensation after adding {@code inc}. */
    static double[] kahanInc(double inc, double sum, double c) {
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
