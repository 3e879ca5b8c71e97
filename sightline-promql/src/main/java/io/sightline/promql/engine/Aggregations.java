package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.Expr.AggregateOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Aggregation operators, evaluated step by step over groups of the input vector. */
final class Aggregations {

    private Aggregations() {}

    static List<EvalSeries> eval(Evaluator ev, Expr.Aggregate a) {
        double[] param = null;
        String label = null;
        if (a.op() == AggregateOp.COUNT_VALUES) {
            label = Functions.stringArg(a.param());
            if (label.isEmpty()) {
                throw QueryException.execution("invalid label name \"" + label + "\"");
            }
        } else if (a.param() != null) {
            param = ev.scalarPerStep(a.param());
        }
        if (GroupedAggregation.handles(a.op())) {
            return GroupedAggregation.eval(ev, a);
        }
        List<EvalSeries> in = ev.eval(a.expr());
        Grouper grouper = new Grouper(a);
        boolean selects = a.op() == AggregateOp.TOPK || a.op() == AggregateOp.BOTTOMK || a.op() == AggregateOp.LIMITK;
        if (selects && ev.steps > 1 && distinctLabels(in)) {
            return selectKSteps(ev, a, grouper, param, in);
        }
        double[] p = param;
        String valueLabel = label;
        return ev.rangeEval(List.of(in), (t, k, args, out) ->
                aggregateStep(ev, a, grouper, p == null ? Double.NaN : p[k], valueLabel, args.get(0), out));
    }

    /** Computes group keys and output labels, cached per input label set. */
    static final class Grouper {
        private final Expr.Aggregate a;
        private final Map<Labels, Labels> cache = new HashMap<>();
        /**
         * For {@code by (...)}, the most common grouping: the groups by the values of its labels (the value itself for
         * one label, a list of them for several), so a lookup searches as many entries as there are groups.
         * {@code without} keeps a cache by whole label sets, since its groups are about as many as the series.
         */
        private final Map<Object, Labels> byValues;

        Grouper(Expr.Aggregate a) {
            this.a = a;
            this.byValues = a.without() ? null : new HashMap<>();
        }

        Labels group(Labels l) {
            if (byValues == null) {
                return cache.computeIfAbsent(l, this::compute);
            }
            List<String> names = a.grouping();
            Object key;
            if (names.size() == 1) {
                key = l.get(names.get(0));
            } else {
                String[] values = new String[names.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = l.get(names.get(i));
                }
                key = List.of(values);
            }
            Labels g = byValues.get(key);
            if (g == null) {
                g = compute(l);
                byValues.put(key, g);
            }
            return g;
        }

        private Labels compute(Labels l) {
            Labels.Builder b = Labels.builder();
            if (a.without()) {
                for (int i = 0; i < l.size(); i++) {
                    String n = l.name(i);
                    if (!n.equals(Labels.METRIC_NAME) && !a.grouping().contains(n)) {
                        b.set(n, l.value(i));
                    }
                }
            } else {
                for (String n : a.grouping()) {
                    String v = l.get(n);
                    if (v != null && !v.isEmpty()) {
                        b.set(n, v);
                    }
                }
            }
            return b.build();
        }
    }

    private static final class Group {
        final Labels labels;
        int count;
        final KahanSum sum = new KahanSum();
        double mean;
        double meanC;
        boolean incremental;
        List<Double> values;
        boolean dropName;

        Group(Labels labels) {
            this.labels = labels;
        }
    }

    private static void aggregateStep(Evaluator ev, Expr.Aggregate a, Grouper grouper, double param, String valueLabel,
            List<StepSample> in, List<StepSample> out) {
        AggregateOp op = a.op();
        switch (op) {
            case TOPK, BOTTOMK, LIMITK -> {
                selectK(a, grouper, param, in, out);
                return;
            }
            case LIMIT_RATIO -> {
                limitRatio(ev, a, param, in, out);
                return;
            }
            case QUANTILE -> {
                if (Double.isNaN(param) || param < 0 || param > 1) {
                    ev.ctx.annotations.warn("quantile value should be between 0 and 1, got " + io.sightline.common.GoFloat.g(param),
                            a.param().start());
                }
            }
            default -> {
            }
        }
        Map<Labels, Group> groups = new LinkedHashMap<>();
        for (StepSample s : in) {
            Labels key;
            if (op == AggregateOp.COUNT_VALUES) {
                key = grouper.group(s.labels).toBuilder().set(valueLabel, io.sightline.common.GoFloat.plain(s.v)).build();
            } else {
                key = grouper.group(s.labels);
            }
            Group g = groups.get(key);
            if (g == null) {
                g = new Group(key);
                groups.put(key, g);
            }
            g.count++;
            g.dropName |= s.dropName;
            if (op == AggregateOp.QUANTILE) {
                if (g.values == null) {
                    g.values = new ArrayList<>();
                }
                g.values.add(s.v);
            }
        }
        for (Group g : groups.values()) {
            double v = switch (op) {
                case COUNT_VALUES -> g.count;
                case QUANTILE -> quantile(param, g.values.stream().mapToDouble(Double::doubleValue).toArray());
                default -> throw new IllegalStateException("BUG: aggregation " + op + " has its own path");
            };
            out.add(new StepSample(g.labels, v, op != AggregateOp.COUNT_VALUES && g.dropName));
        }
    }

    /**
     * Prometheus's mean: a compensated sum while it stays finite, then (once it would overflow) an
     * incremental mean, so the average of values near the float limit stays finite.
     */
    private static void addToMean(Group g, double v) {
        if (g.count == 1) {
            g.sum.sum = v;
            g.sum.c = 0;
            return;
        }
        if (!g.incremental) {
            double t = g.sum.sum + v;
            if (!Double.isInfinite(t)) {
                g.sum.c = KahanSum.compensation(g.sum.sum, v, t, g.sum.c);
                g.sum.sum = t;
                return;
            }
            g.incremental = true;
            g.mean = g.sum.sum / (g.count - 1);
            g.meanC = g.sum.c / (g.count - 1);
        }
        double q = (g.count - 1) / (double) g.count;
        double inc = v / g.count;
        double base = q * g.mean;
        double t = base + inc;
        g.meanC = KahanSum.compensation(base, inc, t, q * g.meanC);
        g.mean = t;
    }

    /** The mean of {@code vs[lo..hi)}, computed as the {@code avg} aggregation does. */
    static double average(double[] vs, int lo, int hi) {
        Group g = new Group(Labels.empty());
        for (int i = lo; i < hi; i++) {
            g.count++;
            addToMean(g, vs[i]);
        }
        return g.incremental ? g.mean + g.meanC : g.sum.sum / g.count + g.sum.c / g.count;
    }

    private static long kParam(double param) {
        if (Double.isNaN(param)) {
            throw QueryException.execution("Parameter value is NaN");
        }
        if (param >= 9.223372036854775807E18) {
            throw QueryException.execution("Scalar value " + io.sightline.common.GoFloat.g(param) + " overflows int64");
        }
        if (param <= -9.223372036854775807E18) {
            throw QueryException.execution("Scalar value " + io.sightline.common.GoFloat.g(param) + " underflows int64");
        }
        return (long) param;
    }

    private static void selectK(Expr.Aggregate a, Grouper grouper, double param, List<StepSample> in,
            List<StepSample> out) {
        if (param < 1) {
            return;
        }
        long k = kParam(param);
        if (in.isEmpty()) {
            return;
        }
        AggregateOp op = a.op();
        double[] value = new double[in.size()];
        Map<Labels, Heap> groups = new LinkedHashMap<>();
        for (int i = 0; i < in.size(); i++) {
            StepSample s = in.get(i);
            value[i] = s.v;
            Heap h = groups.computeIfAbsent(grouper.group(s.labels), x -> new Heap());
            if (h.size < k && h.size == h.members.length) {
                h.members = Arrays.copyOf(h.members, Math.max(4, 2 * h.size));
            }
            h.size = offer(h.members, h.size, k, i, value, op);
        }
        for (Heap h : groups.values()) {
            if (op != AggregateOp.LIMITK) {
                sortByValue(h.members, h.size, value, op == AggregateOp.TOPK);
            }
            for (int x = 0; x < h.size; x++) {
                out.add(in.get(h.members[x]));
            }
        }
    }

    /** A group's candidates in {@link #selectK}: indexes into the step's samples, grown as they come. */
    private static final class Heap {
        int[] members = new int[4];
        int size;
    }

    /**
     * Offers candidate {@code i} to the heap {@code h[0, size)} of a group that keeps at most {@code k}: limitk keeps
     * the first {@code k}; topk and bottomk keep the {@code k} strongest, the weakest at the root. Returns the heap's
     * new size; {@code h} has room for one more while {@code size < k}.
     */
    private static int offer(int[] h, int size, long k, int i, double[] value, AggregateOp op) {
        if (size < k) {
            h[size] = i;
            if (op != AggregateOp.LIMITK) {
                up(h, size, value, op);
            }
            return size + 1;
        }
        if (op != AggregateOp.LIMITK && before(value[h[0]], value[i], op)) {
            h[0] = i;
            if (k > 1) {
                down(h, size, value, op);
            }
        }
        return size;
    }

    private static boolean distinctLabels(List<EvalSeries> in) {
        Set<Labels> seen = new HashSet<>();
        for (EvalSeries s : in) {
            if (!seen.add(s.labels)) {
                return false;
            }
        }
        return true;
    }

    /**
     * topk, bottomk and limitk over the steps of a range query: the same series at each step as {@link #selectK},
     * through the same heaps ({@link #offer}) and put out in the same order, but each series' group found once instead
     * of at every step, and a step's candidates indexes into the input instead of samples in maps. Output series are
     * the selected input series' points (the input's label sets are distinct, so no step can give one twice), made
     * in the order of their first selection.
     */
    private static List<EvalSeries> selectKSteps(Evaluator ev, Expr.Aggregate a, Grouper grouper, double[] param,
            List<EvalSeries> in) {
        AggregateOp op = a.op();
        int n = in.size();
        Map<Labels, Integer> groupIds = new HashMap<>();
        int[] groupOf = new int[n];
        for (int i = 0; i < n; i++) {
            groupOf[i] = groupIds.computeIfAbsent(grouper.group(in.get(i).labels), g -> groupIds.size());
        }
        int[] members = new int[groupIds.size()];
        for (int g : groupOf) {
            members[g]++;
        }
        int[][] heaps = new int[members.length][];
        int[] sizes = new int[members.length];
        int[] stepGroups = new int[members.length]; // the step's groups, in the order of their first candidate
        int[] cursors = new int[n];
        double[] value = new double[n];
        EvalSeries[] out = new EvalSeries[n];
        List<EvalSeries> result = new ArrayList<>();
        for (int k = 0; k < ev.steps; k++) {
            if ((k & 255) == 0) {
                ev.ctx.checkDeadline();
            }
            if (param[k] < 1) {
                continue;
            }
            long want = kParam(param[k]);
            long t = ev.stepTime(k);
            int groups = 0;
            for (int i = 0; i < n; i++) {
                EvalSeries s = in.get(i);
                int c = cursors[i];
                while (c < s.n && s.ts[c] < t) {
                    c++;
                }
                cursors[i] = c;
                if (c == s.n || s.ts[c] != t) {
                    continue;
                }
                value[i] = s.vs[c];
                int g = groupOf[i];
                int size = sizes[g];
                if (size == 0) {
                    stepGroups[groups++] = g;
                    if (heaps[g] == null) {
                        heaps[g] = new int[members[g]];
                    }
                }
                sizes[g] = offer(heaps[g], size, want, i, value, op);
            }
            for (int j = 0; j < groups; j++) {
                int g = stepGroups[j];
                int[] h = heaps[g];
                int size = sizes[g];
                if (op != AggregateOp.LIMITK) {
                    sortByValue(h, size, value, op == AggregateOp.TOPK);
                }
                for (int x = 0; x < size; x++) {
                    int i = h[x];
                    if (out[i] == null) {
                        EvalSeries s = in.get(i);
                        out[i] = new EvalSeries(s.labels, s.dropName, Math.min(ev.steps, 16));
                        result.add(out[i]);
                    }
                    out[i].add(t, value[i]);
                }
                sizes[g] = 0;
            }
        }
        return result;
    }

    /** A stable insertion sort of {@code h[0, size)} by value, as {@link Functions#compareForSort} orders them. */
    private static void sortByValue(int[] h, int size, double[] value, boolean desc) {
        for (int x = 1; x < size; x++) {
            int i = h[x];
            int y = x - 1;
            while (y >= 0 && Functions.compareForSort(value[h[y]], value[i], desc) > 0) {
                h[y + 1] = h[y];
                y--;
            }
            h[y + 1] = i;
        }
    }

    /** The heap order: for topk, x is weaker than y (smaller, NaN weakest); reversed for bottomk. */
    private static boolean less(double x, double y, AggregateOp op) {
        if (Double.isNaN(x) && !Double.isNaN(y)) {
            return true;
        }
        return op == AggregateOp.TOPK ? x < y : x > y;
    }

    /** Whether the heap's weakest value {@code top} should give way to {@code s}. */
    private static boolean before(double top, double s, AggregateOp op) {
        if (Double.isNaN(top) && !Double.isNaN(s)) {
            return true;
        }
        return op == AggregateOp.TOPK ? top < s : top > s;
    }

    /** Moves {@code h[j]} up the heap of indexes into {@code value} to its place. */
    private static void up(int[] h, int j, double[] value, AggregateOp op) {
        while (true) {
            int i = (j - 1) / 2;
            if (i == j || !less(value[h[j]], value[h[i]], op)) {
                break;
            }
            int tmp = h[i];
            h[i] = h[j];
            h[j] = tmp;
            j = i;
        }
    }

    /** Moves the root of the heap of {@code n} indexes into {@code value} down to its place. */
    private static void down(int[] h, int n, double[] value, AggregateOp op) {
        int i = 0;
        while (true) {
            int j1 = 2 * i + 1;
            if (j1 >= n || j1 < 0) {
                break;
            }
            int j = j1;
            int j2 = j1 + 1;
            if (j2 < n && less(value[h[j2]], value[h[j1]], op)) {
                j = j2;
            }
            if (!less(value[h[j]], value[h[i]], op)) {
                break;
            }
            int tmp = h[i];
            h[i] = h[j];
            h[j] = tmp;
            i = j;
        }
    }

    private static void limitRatio(Evaluator ev, Expr.Aggregate a, double ratio, List<StepSample> in,
            List<StepSample> out) {
        if (Double.isNaN(ratio)) {
            throw QueryException.execution("Ratio value is NaN");
        }
        if (ratio < -1 || ratio > 1) {
            double capped = ratio < -1 ? -1 : 1;
            ev.ctx.annotations.warn("ratio value should be between -1 and 1, got " + io.sightline.common.GoFloat.g(ratio)
                    + ", capping to " + io.sightline.common.GoFloat.g(capped), a.param().start());
            ratio = capped;
        }
        if (ratio == 0) {
            return;
        }
        for (StepSample s : in) {
            double offset = RatioSampler.offset(s.labels);
            boolean keep = ratio > 0 ? offset < ratio : offset >= 1 + ratio;
            if (keep) {
                out.add(s);
            }
        }
    }

    /** Prometheus's quantile over plain values: linear interpolation between closest ranks. */
    static double quantile(double q, double[] values) {
        if (values.length == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        sortNaNFirst(values);
        return interpolate(q, values.length, i -> values[i]);
    }

    /**
     * Prometheus's quantile {@code q} (within [0, 1]) of {@code n} values in Go's order, each read by {@code at}: the
     * two around rank {@code q * (n - 1)}, weighted by its fraction.
     */
    static double interpolate(double q, int n, java.util.function.IntToDoubleFunction at) {
        double rank = q * (n - 1);
        double lowerIndex = Math.max(0, Math.floor(rank));
        double upperIndex = Math.min(n - 1, lowerIndex + 1);
        double weight = rank - Math.floor(rank);
        return at.applyAsDouble((int) lowerIndex) * (1 - weight) + at.applyAsDouble((int) upperIndex) * weight;
    }

    /** Go's sort.Float64s order: NaN before everything else. */
    static void sortNaNFirst(double[] values) {
        Arrays.sort(values);
        int nan = 0;
        for (int i = values.length - 1; i >= 0 && Double.isNaN(values[i]); i--) {
            nan++;
        }
        if (nan > 0 && nan < values.length) {
            System.arraycopy(values, 0, values, nan, values.length - nan);
            Arrays.fill(values, 0, nan, Double.NaN);
        }
    }
}
