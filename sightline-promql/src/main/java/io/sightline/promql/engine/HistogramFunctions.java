package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code histogram_quantile} and {@code histogram_fraction} over classic histograms: series with an
 * {@code le} label, grouped by their other labels. Native histograms are not stored by this engine.
 */
final class HistogramFunctions {

    private HistogramFunctions() {}

    /** Cumulative count up to and including {@code upperBound}. */
    record Bucket(double upperBound, double count) {}

    /** An input series' bucket bound and its group's labels (without {@code le}); null labels if le is malformed. */
    private record BucketSeries(double upper, Labels group) {}

    private static final class BucketGroup {
        final Labels labels;
        final String name;
        final List<Bucket> buckets = new ArrayList<>();

        BucketGroup(Labels labels) {
            this.labels = labels;
            this.name = labels.metricName();
        }
    }

    private static String forMetric(String name) {
        return name.isEmpty() ? "" : " for metric name \"" + name + "\"";
    }

    static List<EvalSeries> quantile(Evaluator ev, Expr.Call c, double[] q, List<EvalSeries> in) {
        checkQuantiles(ev, q, c.args().get(0));
        return grouped(ev, c, in, (k, g) -> {
            double qv = q[k];
            double[] r = bucketQuantile(qv, g.buckets);
            if (r[1] != 0) {
                ev.ctx.annotations.info("input to histogram_quantile needed to be fixed for monotonicity (see "
                        + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                        + forMetric(g.name), c.args().get(1).start());
            }
            return r[0];
        });
    }

    private static void checkQuantiles(Evaluator ev, double[] q, Expr arg) {
        for (double qv : q) {
            if (Double.isNaN(qv) || qv < 0 || qv > 1) {
                ev.ctx.annotations.warn("quantile value should be between 0 and 1, got " + io.sightline.common.GoFloat.g(qv), arg.start());
            }
        }
    }

    /**
     * {@code histogram_quantiles(v, "label", q1, ...)}: one output series per group and quantile, the
     * quantile written into {@code label} in OpenMetrics float form.
     */
    static List<EvalSeries> quantiles(Evaluator ev, Expr.Call c, String label, List<double[]> qs, List<EvalSeries> in) {
        for (int i = 0; i < qs.size(); i++) {
            checkQuantiles(ev, qs.get(i), c.args().get(i + 2));
        }
        Expr vectorArg = c.args().get(0);
        return groupedMulti(ev, in, vectorArg, (k, g, out) -> {
            for (double[] q : qs) {
                double[] r = bucketQuantile(q[k], g.buckets);
                if (r[1] != 0) {
                    ev.ctx.annotations.info("input to histogram_quantile needed to be fixed for monotonicity (see "
                            + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                            + forMetric(g.name), vectorArg.start());
                }
                out.add(new StepSample(g.labels.toBuilder().set(label, openMetricsFloat(q[k])).build(), r[0], true));
            }
        });
    }

    /** OpenMetrics float text: {@code 1.0}, {@code 0.5}, {@code 1e-05}, {@code +Inf}, {@code NaN}. */
    static String openMetricsFloat(double v) {
        if (v == 1) {
            return "1.0";
        }
        if (v == 0) {
            return "0.0";
        }
        if (v == -1) {
            return "-1.0";
        }
        String g = io.sightline.common.GoFloat.g(v);
        if (!g.contains(".") && !g.contains("e") && !g.contains("Inf") && !g.contains("NaN")) {
            g += ".0";
        }
        return g;
    }

    static List<EvalSeries> fraction(Evaluator ev, Expr.Call c, double[] lower, double[] upper, List<EvalSeries> in) {
        return grouped(ev, c, in, (k, g) -> bucketFraction(lower[k], upper[k], g.buckets));
    }

    private interface GroupFn {
        double apply(int step, BucketGroup g);
    }

    private interface MultiGroupFn {
        void apply(int step, BucketGroup g, List<StepSample> out);
    }

    private static List<EvalSeries> grouped(Evaluator ev, Expr.Call c, List<EvalSeries> in, GroupFn fn) {
        return groupedMulti(ev, in, c.args().get(c.args().size() - 1),
                (k, g, out) -> out.add(new StepSample(g.labels, fn.apply(k, g), true)));
    }

    private static List<EvalSeries> groupedMulti(Evaluator ev, List<EvalSeries> in, Expr vectorArg,
            MultiGroupFn fn) {
        // Per input series, parsed once rather than at every step: its bound and its group's labels.
        Map<Labels, BucketSeries> parsed = new java.util.HashMap<>();
        return ev.rangeEval(List.of(in), (t, k, args, out) -> {
            Map<Labels, BucketGroup> groups = new LinkedHashMap<>();
            for (StepSample s : args.get(0)) {
                BucketSeries b = parsed.computeIfAbsent(s.labels, l -> {
                    double upper = parseLe(l.get("le"));
                    return new BucketSeries(upper, Double.isNaN(upper) ? null : l.toBuilder().remove("le").build());
                });
                if (b.group() == null) {
                    String le = s.labels.get("le");
                    ev.ctx.annotations.warn("bucket label \"le\" is missing or has a malformed value of \""
                            + (le == null ? "" : le) + "\"" + forMetric(s.labels.metricName()), vectorArg.start());
                    continue;
                }
                groups.computeIfAbsent(b.group(), BucketGroup::new).buckets.add(new Bucket(b.upper(), s.v));
            }
            for (BucketGroup g : groups.values()) {
                fn.apply(k, g, out);
            }
        });
    }

    static double parseLe(String le) {
        if (le == null) {
            return Double.NaN;
        }
        try {
            return GoMath.parseFloat(le);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Buckets sorted by bound, those of one bound merged into one (their counts added). */
    private static List<Bucket> mergeSameBounds(List<Bucket> sorted) {
        List<Bucket> merged = new ArrayList<>(sorted.size());
        for (Bucket x : sorted) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).upperBound() == x.upperBound()) {
                Bucket last = merged.remove(merged.size() - 1);
                merged.add(new Bucket(x.upperBound(), last.count() + x.count()));
            } else {
                merged.add(x);
            }
        }
        return merged;
    }

    /** Returns {quantile, forcedMonotonic ? 1 : 0}. */
    static double[] bucketQuantile(double q, List<Bucket> in) {
        if (Double.isNaN(q)) {
            return new double[] {Double.NaN, 0};
        }
        if (q < 0) {
            return new double[] {Double.NEGATIVE_INFINITY, 0};
        }
        if (q > 1) {
            return new double[] {Double.POSITIVE_INFINITY, 0};
        }
        List<Bucket> sorted = new ArrayList<>(in);
        sorted.sort((x, y) -> Double.compare(x.upperBound(), y.upperBound()));
        if (sorted.isEmpty() || sorted.get(sorted.size() - 1).upperBound() != Double.POSITIVE_INFINITY) {
            return new double[] {Double.NaN, 0};
        }
        List<Bucket> b = mergeSameBounds(sorted);
        double[] counts = new double[b.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = b.get(i).count();
        }
        boolean forced = ensureMonotonic(counts);
        if (b.size() < 2) {
            return new double[] {Double.NaN, forced ? 1 : 0};
        }
        double observations = counts[counts.length - 1];
        if (observations == 0) {
            return new double[] {Double.NaN, forced ? 1 : 0};
        }
        double rank = q * observations;
        int idx = 0;
        int limit = counts.length - 1;
        while (idx < limit && !(counts[idx] >= rank)) {
            idx++;
        }
        double result;
        if (idx == counts.length - 1) {
            result = b.get(counts.length - 2).upperBound();
        } else if (idx == 0 && b.get(0).upperBound() <= 0) {
            result = b.get(0).upperBound();
        } else {
            double bucketStart = 0;
            double bucketEnd = b.get(idx).upperBound();
            double count = counts[idx];
            if (idx > 0) {
                bucketStart = b.get(idx - 1).upperBound();
                count -= counts[idx - 1];
                rank -= counts[idx - 1];
            }
            result = bucketStart + (bucketEnd - bucketStart) * (rank / count);
        }
        return new double[] {result, forced ? 1 : 0};
    }

    /** Makes cumulative counts non-decreasing; tiny float noise is flattened silently. Returns whether forced. */
    static boolean ensureMonotonic(double[] counts) {
        boolean forced = false;
        double prev = counts[0];
        for (int i = 1; i < counts.length; i++) {
            double cur = counts[i];
            if (cur == prev) {
                continue;
            }
            if (almostEqual(prev, cur, 1e-12)) {
                counts[i] = prev;
                continue;
            }
            if (cur < prev) {
                counts[i] = prev;
                forced = true;
                continue;
            }
            prev = cur;
        }
        return forced;
    }

    static boolean almostEqual(double a, double b, double epsilon) {
        if (a == b) {
            return true;
        }
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < Double.MIN_NORMAL) {
            return diff < epsilon * Double.MIN_NORMAL;
        }
        return diff / Math.min(absSum, Double.MAX_VALUE) < epsilon;
    }

    /** The fraction of observations between {@code lower} and {@code upper}, interpolating linearly in buckets. */
    static double bucketFraction(double lower, double upper, List<Bucket> in) {
        List<Bucket> sorted = new ArrayList<>(in);
        sorted.sort((x, y) -> Double.compare(x.upperBound(), y.upperBound()));
        if (sorted.isEmpty() || sorted.get(sorted.size() - 1).upperBound() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        List<Bucket> b = mergeSameBounds(sorted);
        int n = b.size();
        double count = b.get(n - 1).count();
        if (count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
            return Double.NaN;
        }
        if (lower >= upper) {
            return 0;
        }
        double firstLower = b.get(0).upperBound() <= 0 ? Double.NEGATIVE_INFINITY : 0;
        double rank = 0;
        double lowerRank = 0;
        double upperRank = 0;
        boolean lowerSet = false;
        boolean upperSet = false;
        for (int i = 0; i < n; i++) {
            double lb = i > 0 ? b.get(i - 1).upperBound() : firstLower;
            double ub = b.get(i).upperBound();
            double c = b.get(i).count();
            if (!lowerSet && lb >= lower) {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && lb >= upper) {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                break;
            }
            if (!lowerSet && lb < lower && lower < ub) {
                lowerRank = lb == Double.NEGATIVE_INFINITY ? c : rank + (c - rank) * (lower - lb) / (ub - lb);
                lowerSet = true;
            }
            if (!upperSet && lb < upper && upper < ub) {
                upperRank = lb == Double.NEGATIVE_INFINITY ? c : rank + (c - rank) * (upper - lb) / (ub - lb);
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                break;
            }
            rank = c;
        }
        if (!lowerSet || lowerRank > count) {
            lowerRank = count;
        }
        if (!upperSet || upperRank > count) {
            upperRank = count;
        }
        return (upperRank - lowerRank) / count;
    }
}
