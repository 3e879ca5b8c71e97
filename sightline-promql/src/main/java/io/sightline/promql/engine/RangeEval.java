package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls of functions that take a range vector: each series is walked once, the window sliding with
 * the steps, so a query costs O(samples + steps) per series rather than a search per step.
 */
final class RangeEval {

    private RangeEval() {}

    /** Whether {@link #stream} can produce this call's series one at a time. */
    static boolean streams(Expr.Call c) {
        if (c.function().name().equals("absent_over_time")) {
            return false;
        }
        for (Expr a : c.args()) {
            if (a.type() == io.sightline.promql.ast.ValueType.MATRIX) {
                return true;
            }
        }
        return false;
    }

    static List<EvalSeries> call(Evaluator ev, Expr.Call c, int matrixArg) {
        if (c.function().name().equals("absent_over_time")) {
            return absentOverTime(ev, c, matrixArg);
        }
        List<EvalSeries> out = new ArrayList<>();
        long[] points = {0};
        stream(ev, c, o -> {
            points[0] += o.n;
            ev.ctx.hold(points[0], "query execution");
            out.add(o);
        });
        return out;
    }

    private static List<EvalSeries> absentOverTime(Evaluator ev, Expr.Call c, int matrixArg) {
        Expr inner = c.args().get(matrixArg);
        while (inner instanceof Expr.Paren p) {
            inner = p.expr();
        }
        return absentOverTime(ev, ev.rangeSource(inner), Functions.absentLabels(inner));
    }

    /** The call's output series, one at a time, computed window by window from each input series. */
    static void stream(Evaluator ev, Expr.Call c, java.util.function.Consumer<EvalSeries> consumer) {
        int matrixArg = -1;
        for (int i = 0; i < c.args().size(); i++) {
            if (c.args().get(i).type() == io.sightline.promql.ast.ValueType.MATRIX) {
                matrixArg = i;
            }
        }
        String name = c.function().name();
        Expr arg = c.args().get(matrixArg);
        Expr inner = arg;
        while (inner instanceof Expr.Paren p) {
            inner = p.expr();
        }
        Expr.RangeMode mode = inner instanceof Expr.MatrixSelector ms ? ms.mode() : Expr.RangeMode.PLAIN;
        ExtendedRanges.check(name, mode);
        double[] p0 = null;
        double[] p1 = null;
        switch (name) {
            case "quantile_over_time" -> p0 = ev.scalarPerStep(c.args().get(0));
            case "predict_linear" -> p0 = ev.scalarPerStep(c.args().get(1));
            case "double_exponential_smoothing", "holt_winters" -> {
                p0 = ev.scalarPerStep(c.args().get(1));
                p1 = ev.scalarPerStep(c.args().get(2));
            }
            default -> {
            }
        }
        Evaluator.RangeSource src = ev.rangeSource(inner, name);
        RangeFunctions.Fn fn = function(ev, c, name, p0, p1);
        // Rollups of counts: the samples in a window are the sum of the windows' counts.
        RangeFunctions.Fn countRollups = name.equals("count_over_time") ? RangeFunctions::sum : fn;
        boolean dropName = !Functions.keepsName(name);
        Annotator annotator = new Annotator(ev, c, name, arg);
        // rate and increase look for counter resets in every window: counted once per series instead.
        boolean countResets = name.equals("rate") || name.equals("increase");
        // rate (0), increase (1) and delta (2) have a loop of their own, calling the function directly.
        int extrapolated = switch (name) {
            case "rate" -> 0;
            case "increase" -> 1;
            case "delta" -> 2;
            default -> -1;
        };
        double[] fp0 = p0;
        double[] fp1 = p1;
        // The transform may run on a query worker: it owns its window and output, and touches nothing shared.
        src.forEachMapped((s, spare) -> {
            ev.ctx.checkDeadline();
            RangeFunctions.Window w = new RangeFunctions.Window();
            if (countResets && src.mode == Expr.RangeMode.PLAIN && ev.steps > 1) {
                w.resets = RangeFunctions.threadResets(s.vs, s.n); // used only within this transform
            }
            EvalSeries o = EvalSeries.reuse(spare, s.labels, s.dropName || dropName, Math.min(ev.steps, 16));
            if (extrapolated >= 0 && src.mode == Expr.RangeMode.PLAIN && s.resolutionMs == 0 && s.st == null) {
                return extrapolatedSeries(ev, src, s, w, o, extrapolated != 2, extrapolated == 0);
            }
            boolean any = false;
            w.ts = s.ts;
            w.vs = s.vs;
            w.st = s.st;
            for (int k = 0; k < ev.steps; k++) {
                long t = ev.stepTime(k);
                long ref = ev.refTime(t, src.at, src.offsetMs);
                long rangeStart = ref - src.rangeMs;
                if (src.mode != Expr.RangeMode.PLAIN) {
                    double v = ExtendedRanges.apply(name, src.mode, s, rangeStart, ref, ev.ctx.lookbackMs);
                    if (!RangeFunctions.isNone(v)) {
                        o.add(t, v);
                        any = true;
                    }
                    continue;
                }
                w.slide(s.n, rangeStart, ref, src.at != null);
                if (w.size() == 0) {
                    continue;
                }
                w.t = t;
                w.p0 = fp0 == null ? 0 : fp0[k];
                w.p1 = fp1 == null ? 0 : fp1[k];
                double v = (s.resolutionMs > 0 ? countRollups : fn).apply(w);
                if (!RangeFunctions.isNone(v)) {
                    o.add(t, v);
                    any = true;
                }
            }
            if (w.overlap) {
                ev.ctx.annotations.warn("sample has start time that overlaps with previous sample timestamp"
                        + " for metric \"" + s.labels.metricName() + "\"", arg.start());
            }
            return any ? o : null;
        }, o -> {
            annotator.seen(o.labels);
            consumer.accept(o);
        }, consumer instanceof Evaluator.Folding);
    }

    /**
     * {@link #stream}'s loop for rate, increase and delta over raw samples: one series' windows, step by step, slid
     * in local variables and written straight into the output (at most one point per step): a third less time per
     * step than sliding a {@link RangeFunctions.Window} and adding points one by one.
     */
    private static EvalSeries extrapolatedSeries(Evaluator ev, Evaluator.RangeSource src, EvalSeries s,
            RangeFunctions.Window w, EvalSeries o, boolean isCounter, boolean isRate) {
        long[] ts = s.ts;
        double[] vs = s.vs;
        int n = s.n;
        int[] resets = w.resets;
        RangeFunctions.Extrapolation e = w.extrapolation();
        boolean restart = src.at != null; // an @ time: the same window at every step, found from the start
        o.reserve(ev.steps);
        long[] ots = o.ts;
        double[] ovs = o.vs;
        int on = o.n;
        int lo = 0;
        int hi = 0;
        for (int k = 0; k < ev.steps; k++) {
            long t = ev.stepTime(k);
            long ref = ev.refTime(t, src.at, src.offsetMs);
            long rangeStart = ref - src.rangeMs;
            long ends = RangeFunctions.slide(ts, n, restart ? 0 : lo, restart ? 0 : hi, rangeStart, ref);
            lo = (int) (ends >>> 32);
            hi = (int) ends;
            if (hi - lo < 2) {
                continue; // no rate from fewer than two samples
            }
            ots[on] = t;
            ovs[on] = RangeFunctions.extrapolatedRate(ts, vs, lo, hi, rangeStart, ref, resets, e, isCounter, isRate);
            on++;
        }
        o.n = on;
        return on > 0 ? o : null;
    }

    private static RangeFunctions.Fn function(Evaluator ev, Expr.Call c, String name, double[] p0, double[] p1) {
        return switch (name) {
            case "rate" -> w -> RangeFunctions.extrapolatedRate(w, true, true);
            case "increase" -> w -> RangeFunctions.extrapolatedRate(w, true, false);
            case "delta" -> w -> RangeFunctions.extrapolatedRate(w, false, false);
            case "irate" -> w -> RangeFunctions.instantValue(w, true);
            case "idelta" -> w -> RangeFunctions.instantValue(w, false);
            case "deriv" -> RangeFunctions::deriv;
            case "predict_linear" -> RangeFunctions::predictLinear;
            case "changes" -> RangeFunctions::changes;
            case "resets" -> RangeFunctions::resets;
            case "sum_over_time" -> RangeFunctions::sum;
            case "avg_over_time" -> RangeFunctions::avg;
            case "count_over_time" -> w -> w.size();
            case "min_over_time" -> RangeFunctions::min;
            case "max_over_time" -> RangeFunctions::max;
            case "last_over_time" -> w -> w.vs[w.hi - 1];
            case "first_over_time" -> w -> w.vs[w.lo];
            case "ts_of_last_over_time" -> w -> w.ts[w.hi - 1] / 1000.0;
            case "ts_of_first_over_time" -> w -> w.ts[w.lo] / 1000.0;
            case "ts_of_min_over_time" -> RangeFunctions::tsOfMin;
            case "ts_of_max_over_time" -> RangeFunctions::tsOfMax;
            case "present_over_time" -> w -> 1;
            case "stddev_over_time" -> w -> Math.sqrt(RangeFunctions.variance(w));
            case "stdvar_over_time" -> RangeFunctions::variance;
            case "quantile_over_time" -> w -> {
                if (Double.isNaN(w.p0) || w.p0 < 0 || w.p0 > 1) {
                    ev.ctx.annotations.warn("quantile value should be between 0 and 1, got "
                            + io.sightline.common.GoFloat.g(w.p0), c.args().get(0).start());
                }
                return RangeFunctions.quantile(w);
            };
            case "mad_over_time" -> RangeFunctions::mad;
            case "double_exponential_smoothing", "holt_winters" -> w -> {
                if (w.p0 <= 0 || w.p0 >= 1) {
                    throw QueryException.execution("invalid smoothing factor. Expected: 0 < sf < 1, got: "
                            + io.sightline.common.GoFloat.fixed6(w.p0));
                }
                if (w.p1 <= 0 || w.p1 >= 1) {
                    throw QueryException.execution("invalid trend factor. Expected: 0 < tf < 1, got: "
                            + io.sightline.common.GoFloat.fixed6(w.p1));
                }
                return RangeFunctions.doubleExponentialSmoothing(w);
            };
            default -> throw QueryException.execution("function \"" + name + "\" is not supported");
        };
    }

    private static List<EvalSeries> absentOverTime(Evaluator ev, Evaluator.RangeSource src, Labels labels) {
        boolean[] present = new boolean[ev.steps];
        src.forEach(s -> {
            for (int k = 0; k < ev.steps; k++) {
                if (present[k]) {
                    continue;
                }
                long ref = ev.refTime(ev.stepTime(k), src.at, src.offsetMs);
                int lo = s.ceil(ref - src.rangeMs + 1, 0);
                if (lo < s.n && s.ts[lo] <= ref) {
                    present[k] = true;
                }
            }
        });
        EvalSeries o = new EvalSeries(labels, false, ev.steps);
        for (int k = 0; k < ev.steps; k++) {
            if (!present[k]) {
                o.add(ev.stepTime(k), 1);
            }
        }
        return o.n == 0 ? List.of() : List.of(o);
    }

    /** Raises the per-series annotations of range functions (e.g. "might not be a counter"). */
    private static final class Annotator {
        private final Evaluator ev;
        private final String name;
        private final Expr arg;

        Annotator(Evaluator ev, Expr.Call c, String name, Expr arg) {
            this.ev = ev;
            this.name = name;
            this.arg = arg;
        }

        void seen(Labels labels) {
            if (name.equals("rate") || name.equals("increase") || name.equals("irate")) {
                String metric = labels.metricName();
                if (!metric.isEmpty() && !(metric.endsWith("_total") || metric.endsWith("_sum")
                        || metric.endsWith("_count") || metric.endsWith("_bucket"))) {
                    ev.ctx.annotations.info("metric might not be a counter, name does not end in "
                            + "_total/_sum/_count/_bucket: \"" + metric + "\"", arg.start());
                }
            }
        }
    }
}
