package io.sightline.promql.engine;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.ValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/** Dispatches function calls: range-vector functions window by window, the others step by step. */
final class Functions {

    private Functions() {}

    /** Functions whose result keeps the input's metric name. */
    private static final Set<String> KEEP_NAME = Set.of("last_over_time", "first_over_time", "sort", "sort_desc",
            "sort_by_label", "sort_by_label_desc", "label_replace", "label_join", "vector", "info");

    static List<EvalSeries> call(Evaluator ev, Expr.Call c) {
        String name = c.function().name();
        switch (name) {
            case "time" -> {
                EvalSeries s = new EvalSeries(Labels.empty(), false, ev.steps);
                for (int k = 0; k < ev.steps; k++) {
                    s.add(ev.stepTime(k), ev.stepTime(k) / 1000.0);
                }
                return List.of(s);
            }
            case "pi" -> {
                return List.of(ev.constant(Math.PI));
            }
            case "start" -> {
                return List.of(ev.constant(ev.ctx.queryStart / 1000.0));
            }
            case "end" -> {
                return List.of(ev.constant(ev.ctx.queryEnd / 1000.0));
            }
            case "range" -> {
                return List.of(ev.constant((ev.ctx.queryEnd - ev.ctx.queryStart) / 1000.0));
            }
            case "step" -> {
                return List.of(ev.constant(ev.ctx.queryStep / 1000.0));
            }
            default -> {
            }
        }
        int matrixArg = -1;
        for (int i = 0; i < c.args().size(); i++) {
            if (c.args().get(i).type() == ValueType.MATRIX) {
                matrixArg = i;
            }
        }
        if (matrixArg >= 0) {
            return RangeEval.call(ev, c, matrixArg);
        }
        return instantFunction(ev, c);
    }

    private static DoubleUnaryOperator math(String name) {
        return switch (name) {
            case "abs" -> Math::abs;
            case "ceil" -> Math::ceil;
            case "floor" -> Math::floor;
            case "exp" -> Math::exp;
            case "sqrt" -> Math::sqrt;
            case "ln" -> Math::log;
            case "log2" -> v -> Math.log(v) / Math.log(2);
            case "log10" -> Math::log10;
            case "sin" -> Math::sin;
            case "cos" -> Math::cos;
            case "tan" -> Math::tan;
            case "asin" -> Math::asin;
            case "acos" -> Math::acos;
            case "atan" -> Math::atan;
            case "sinh" -> Math::sinh;
            case "cosh" -> Math::cosh;
            case "tanh" -> Math::tanh;
            case "asinh" -> v -> Double.isInfinite(v) ? v : Math.log(v + Math.sqrt(v * v + 1));
            case "acosh" -> v -> v < 1 ? Double.NaN : Math.log(v + Math.sqrt(v * v - 1));
            case "atanh" -> v -> 0.5 * Math.log((1 + v) / (1 - v));
            case "deg" -> v -> v * 180 / Math.PI;
            case "rad" -> v -> v * Math.PI / 180;
            case "sgn" -> v -> v > 0 ? 1 : v < 0 ? -1 : v;
            default -> null;
        };
    }

    private static List<EvalSeries> instantFunction(Evaluator ev, Expr.Call c) {
        String name = c.function().name();
        List<Expr> a = c.args();
        DoubleUnaryOperator op = math(name);
        if (op != null) {
            return mapValues(ev, ev.eval(a.get(0)), op, true);
        }
        switch (name) {
            case "min_of", "max_of": {
                boolean min = name.equals("min_of");
                return ev.rangeEval(List.of(ev.eval(a.get(0)), ev.eval(a.get(1))), (t, k, args, out) -> {
                    double x = args.get(0).isEmpty() ? Double.NaN : args.get(0).get(0).v;
                    double y = args.get(1).isEmpty() ? Double.NaN : args.get(1).get(0).v;
                    out.add(new StepSample(Labels.empty(), min ? Math.min(x, y) : Math.max(x, y), false));
                });
            }
            case "vector": {
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    double v = args.get(0).isEmpty() ? Double.NaN : args.get(0).get(0).v;
                    out.add(new StepSample(Labels.empty(), v, false));
                });
            }
            case "scalar": {
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    List<StepSample> v = args.get(0);
                    out.add(new StepSample(Labels.empty(), v.size() == 1 ? v.get(0).v : Double.NaN, false));
                });
            }
            case "round": {
                double[] nearest = a.size() > 1 ? ev.scalarPerStep(a.get(1)) : null;
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    double toNearestInverse = 1.0 / (nearest == null ? 1.0 : nearest[k]);
                    for (StepSample s : args.get(0)) {
                        double v = Math.floor(s.v * toNearestInverse + 0.5) / toNearestInverse;
                        out.add(new StepSample(s.labels, v, true));
                    }
                });
            }
            case "clamp", "clamp_min", "clamp_max": {
                double[] p1 = ev.scalarPerStep(a.get(1));
                double[] p2 = a.size() > 2 ? ev.scalarPerStep(a.get(2)) : null;
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    double lo = name.equals("clamp_max") ? Double.NEGATIVE_INFINITY : p1[k];
                    double hi = name.equals("clamp") ? p2[k] : name.equals("clamp_max") ? p1[k]
                            : Double.POSITIVE_INFINITY;
                    if (name.equals("clamp") && hi < lo) {
                        return;
                    }
                    for (StepSample s : args.get(0)) {
                        double v = s.v;
                        if (!name.equals("clamp_max")) {
                            v = Math.max(lo, v);
                        }
                        if (!name.equals("clamp_min")) {
                            v = Math.min(hi, v);
                        }
                        out.add(new StepSample(s.labels, v, true));
                    }
                });
            }
            case "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year": {
                if (a.isEmpty()) {
                    return ev.rangeEval(List.of(), (t, k, args, out) ->
                            out.add(new StepSample(Labels.empty(), dateField(name, t / 1000.0), false)));
                }
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    for (StepSample s : args.get(0)) {
                        out.add(new StepSample(s.labels, dateField(name, s.v), true));
                    }
                });
            }
            case "timestamp": {
                Expr arg = a.get(0);
                while (arg instanceof Expr.Paren p) {
                    arg = p.expr();
                }
                List<EvalSeries> in = arg instanceof Expr.VectorSelector vs ? ev.vectorSelector(vs, true)
                        : ev.eval(arg);
                boolean raw = arg instanceof Expr.VectorSelector;
                return ev.rangeEval(List.of(in), (t, k, args, out) -> {
                    for (StepSample s : args.get(0)) {
                        out.add(new StepSample(s.labels, raw ? s.v : t / 1000.0, true));
                    }
                });
            }
            case "start_timestamp": {
                // Start times are those of a selector's samples: of any other expression there are none.
                Expr arg = a.get(0);
                while (arg instanceof Expr.Paren p) {
                    arg = p.expr();
                }
                if (!(arg instanceof Expr.VectorSelector vs)) {
                    ev.eval(arg);
                    return List.of();
                }
                return ev.rangeEval(List.of(ev.startTimes(vs)), (t, k, args, out) -> {
                    for (StepSample s : args.get(0)) {
                        out.add(new StepSample(s.labels, s.v, true));
                    }
                });
            }
            case "absent": {
                Labels labels = absentLabels(a.get(0));
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    if (args.get(0).isEmpty()) {
                        out.add(new StepSample(labels, 1, false));
                    }
                });
            }
            case "sort", "sort_desc": {
                if (ev.steps > 1) {
                    ev.ctx.annotations.warn("sort is ineffective for range queries since results are always "
                            + "ordered by labels", c.start());
                }
                boolean desc = name.equals("sort_desc");
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    List<StepSample> v = new ArrayList<>(args.get(0));
                    v.sort((x, y) -> compareForSort(x.v, y.v, desc));
                    out.addAll(v);
                });
            }
            case "sort_by_label", "sort_by_label_desc": {
                List<String> names = new ArrayList<>();
                for (int i = 1; i < a.size(); i++) {
                    names.add(stringArg(a.get(i)));
                }
                if (ev.steps > 1) {
                    ev.ctx.annotations.warn("sort is ineffective for range queries since results are always "
                            + "ordered by labels", c.start());
                }
                boolean desc = name.endsWith("_desc");
                return ev.rangeEval(List.of(ev.eval(a.get(0))), (t, k, args, out) -> {
                    List<StepSample> v = new ArrayList<>(args.get(0));
                    Comparator<StepSample> cmp = (x, y) -> {
                        for (String ln : names) {
                            int r = NaturalOrder.compare(valueOr(x.labels, ln), valueOr(y.labels, ln));
                            if (r != 0) {
                                return r;
                            }
                        }
                        return x.labels.compareTo(y.labels);
                    };
                    v.sort(desc ? cmp.reversed() : cmp);
                    out.addAll(v);
                });
            }
            case "label_replace": {
                return LabelFunctions.labelReplace(ev, ev.eval(a.get(0)), stringArg(a.get(1)), stringArg(a.get(2)),
                        stringArg(a.get(3)), stringArg(a.get(4)));
            }
            case "label_join": {
                List<String> src = new ArrayList<>();
                for (int i = 3; i < a.size(); i++) {
                    src.add(stringArg(a.get(i)));
                }
                return LabelFunctions.labelJoin(ev, ev.eval(a.get(0)), stringArg(a.get(1)), stringArg(a.get(2)), src);
            }
            case "histogram_quantile": {
                return HistogramFunctions.quantile(ev, c, ev.scalarPerStep(a.get(0)), ev.eval(a.get(1)));
            }
            case "histogram_quantiles": {
                List<double[]> qs = new ArrayList<>();
                for (int i = 2; i < a.size(); i++) {
                    qs.add(ev.scalarPerStep(a.get(i)));
                }
                return HistogramFunctions.quantiles(ev, c, stringArg(a.get(1)), qs, ev.eval(a.get(0)));
            }
            case "histogram_fraction": {
                return HistogramFunctions.fraction(ev, c, ev.scalarPerStep(a.get(0)), ev.scalarPerStep(a.get(1)),
                        ev.eval(a.get(2)));
            }
            case "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar": {
                // Only native histograms have these; float samples give no result.
                ev.eval(a.get(0));
                return List.of();
            }
            case "info": {
                return InfoFunction.eval(ev, c);
            }
            default:
                throw QueryException.execution("function \"" + name + "\" is not supported");
        }
    }

    static String valueOr(Labels l, String name) {
        String v = l.get(name);
        return v == null ? "" : v;
    }

    /** Ascending or descending by value; NaN sorts last either way. */
    static int compareForSort(double x, double y, boolean desc) {
        if (Double.isNaN(x)) {
            return Double.isNaN(y) ? 0 : 1;
        }
        if (Double.isNaN(y)) {
            return -1;
        }
        return desc ? Double.compare(y, x) : Double.compare(x, y);
    }

    static String stringArg(Expr e) {
        while (e instanceof Expr.Paren p) {
            e = p.expr();
        }
        if (e instanceof Expr.StringLiteral s) {
            return s.value();
        }
        throw new IllegalStateException("BUG: string argument is not a literal: " + e);
    }

    private static List<EvalSeries> mapValues(Evaluator ev, List<EvalSeries> in, DoubleUnaryOperator op,
            boolean dropName) {
        List<EvalSeries> out = new ArrayList<>(in.size());
        for (EvalSeries s : in) {
            double[] vs = new double[s.n];
            for (int i = 0; i < s.n; i++) {
                vs[i] = op.applyAsDouble(s.vs[i]);
            }
            out.add(new EvalSeries(s.labels, s.dropName || dropName, s.ts, vs, s.n));
        }
        return out;
    }

    /**
     * A date function of a Unix time in seconds, truncated to whole seconds as Go's {@code int64()} does, in
     * the proleptic Gregorian calendar, UTC. Computed on days since the epoch (Hinnant's civil-from-days)
     * rather than {@code java.time}, whose years end at one billion: Prometheus answers (from Go's
     * {@code time}) up to about 9.2e18 s, e.g. {@code day_of_month(exp(39))} is 14. Beyond
     * {@link #MAX_DATE_SECONDS} (slightly inside that), and for NaN and infinities, where Go's conversion and
     * time arithmetic wrap around, the answer is NaN.
     */
    static double dateField(String name, double seconds) {
        if (!(Math.abs(seconds) <= MAX_DATE_SECONDS)) {
            return Double.NaN;
        }
        long sec = (long) seconds;
        long days = Math.floorDiv(sec, 86_400L);
        long secondOfDay = Math.floorMod(sec, 86_400L);
        switch (name) {
            case "hour":
                return secondOfDay / 3600;
            case "minute":
                return secondOfDay % 3600 / 60;
            case "day_of_week":
                return Math.floorMod(days + 4, 7L); // 1970-01-01 was a Thursday
            default:
                break;
        }
        long z = days + 719_468; // days since 0000-03-01
        long era = Math.floorDiv(z, 146_097L);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfMarchYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfMarchYear + 2) / 153; // 0 = March
        long day = dayOfMarchYear - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        boolean leap = Math.floorMod(year, 4L) == 0
                && (Math.floorMod(year, 100L) != 0 || Math.floorMod(year, 400L) == 0);
        return switch (name) {
            case "days_in_month" -> month == 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[(int) month - 1];
            case "day_of_month" -> day;
            case "day_of_year" -> DAYS_BEFORE_MONTH[(int) month - 1] + (leap && month > 2 ? 1 : 0) + day;
            case "month" -> month;
            case "year" -> year;
            default -> throw new IllegalStateException("BUG: date function " + name);
        };
    }

    /**
     * Seconds within which Sightline answers: a little inside the range where Go's time arithmetic gives the
     * true calendar date (about -9.22e18 to 2^63; beyond, its absolute time wraps around 64 bits).
     */
    static final double MAX_DATE_SECONDS = 9.0e18;
    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    private static final int[] DAYS_BEFORE_MONTH = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

    /** The labels {@code absent()} gives its single output: the selector's equality matchers, name excluded. */
    static Labels absentLabels(Expr e) {
        while (e instanceof Expr.Paren p) {
            e = p.expr();
        }
        List<LabelMatcher> matchers;
        if (e instanceof Expr.VectorSelector vs) {
            matchers = vs.matchers();
        } else if (e instanceof Expr.MatrixSelector ms) {
            matchers = ms.selector().matchers();
        } else {
            return Labels.empty();
        }
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        java.util.Set<String> removed = new java.util.HashSet<>();
        for (LabelMatcher m : matchers) {
            String n = m.name();
            if (n.equals(Labels.METRIC_NAME) || removed.contains(n)) {
                continue;
            }
            if (m.type() == LabelMatcher.Type.EQUAL && !out.containsKey(n)) {
                out.put(n, m.value());
            } else {
                out.remove(n);
                removed.add(n);
            }
        }
        return Labels.fromMap(out);
    }

    static boolean keepsName(String function) {
        return KEEP_NAME.contains(function);
    }
}
