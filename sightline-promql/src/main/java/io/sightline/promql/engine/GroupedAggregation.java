package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.Expr.AggregateOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast path of the common aggregations (sum, avg, count, group, min, max, stddev, stdvar): each
 * input series is mapped to its group once, then its points are folded into per-group, per-step
 * accumulators, with no per-sample objects. Values reach a group's accumulator for a step in input
 * series order, as in the step-by-step evaluation, so results are identical to the last bit.
 */
final class GroupedAggregation {

    private GroupedAggregation() {}

    static boolean handles(AggregateOp op) {
        return switch (op) {
            case SUM, AVG, COUNT, GROUP, MIN, MAX, STDDEV, STDVAR -> true;
            default -> false;
        };
    }

    /** One group's accumulators, one slot per step. */
    private static final class Acc {
        final Labels labels;
        final int[] count;
        final double[] value;
        final double[] comp;
        double[] mean;
        double[] meanC;
        boolean[] incremental;
        boolean dropName;

        Acc(Labels labels, int steps, AggregateOp op) {
            this.labels = labels;
            this.count = new int[steps];
            boolean needsValue = op != AggregateOp.COUNT && op != AggregateOp.GROUP;
            this.value = needsValue ? new double[steps] : null;
            this.comp = op == AggregateOp.SUM || op == AggregateOp.AVG || op == AggregateOp.STDDEV
                    || op == AggregateOp.STDVAR ? new double[steps] : null;
            if (op == AggregateOp.AVG) {
                mean = new double[steps];
                meanC = new double[steps];
                incremental = new boolean[steps];
            }
        }
    }

    static List<EvalSeries> eval(Evaluator ev, Expr.Aggregate a) {
        AggregateOp op = a.op();
        Aggregations.Grouper grouper = new Aggregations.Grouper(a);
        Map<Labels, Acc> groups = new LinkedHashMap<>();
        // count and group never look at a value: storage may skip decoding them.
        boolean presenceOnly = op == AggregateOp.COUNT || op == AggregateOp.GROUP;
        // Each series is folded into its group and dropped (its labels kept as a key at most): the producer may
        // refill it for the next one.
        ev.stream(a.expr(), presenceOnly, (Evaluator.Folding) s -> {
            ev.ctx.checkDeadline();
            Labels key = grouper.group(s.labels);
            Acc g = groups.get(key);
            if (g == null) {
                g = new Acc(key, ev.steps, op);
                groups.put(key, g);
            }
            g.dropName |= s.dropName;
            if (presenceOnly) {
                count(ev, g.count, s);
                return;
            }
            if (op == AggregateOp.SUM) {
                sum(ev, g, s);
                return;
            }
            Steps steps = new Steps(ev);
            for (int i = 0; i < s.n; i++) {
                add(op, g, steps.at(s.ts[i]), s.vs[i]);
            }
        });
        List<EvalSeries> out = new ArrayList<>(groups.size());
        for (Acc g : groups.values()) {
            EvalSeries o = new EvalSeries(g.labels, g.dropName, 16);
            for (int k = 0; k < ev.steps; k++) {
                int n = g.count[k];
                if (n == 0) {
                    continue;
                }
                double v = switch (op) {
                    case SUM -> Double.isInfinite(g.value[k]) ? g.value[k] : g.value[k] + g.comp[k];
                    case AVG -> g.incremental[k] ? g.mean[k] + g.meanC[k] : g.value[k] / n + g.comp[k] / n;
                    case COUNT -> n;
                    case GROUP -> 1;
                    case MIN, MAX -> g.value[k];
                    case STDVAR -> g.comp[k] / n;
                    case STDDEV -> Math.sqrt(g.comp[k] / n);
                    default -> throw new IllegalStateException("BUG: " + op);
                };
                o.add(ev.stepTime(k), v);
            }
            if (o.n > 0) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * A series' points to their step indices. Points sit on step times, ascending: walk the steps rather than
     * divide per point.
     */
    private static final class Steps {
        private final Evaluator ev;
        private final long interval;
        private long stepT;
        private int k;

        Steps(Evaluator ev) {
            this.ev = ev;
            this.interval = ev.interval;
            this.stepT = ev.start;
        }

        /** The index of the step at {@code t}, for ascending {@code t}. */
        int at(long t) {
            while (stepT < t) {
                k++;
                stepT += interval;
            }
            if (stepT != t) {
                k = (int) ((t - ev.start) / interval);
                stepT = ev.stepTime(k);
            }
            return k;
        }
    }

    /** count and group: one more point at each of the series' steps; its own loop, with no value to fold. */
    private static void count(Evaluator ev, int[] count, EvalSeries s) {
        if (s.present != null) {
            long[] bits = s.present;
            for (int w = 0; w < bits.length; w++) {
                for (long b = bits[w]; b != 0; b &= b - 1) {
                    count[(w << 6) + Long.numberOfTrailingZeros(b)]++;
                }
            }
            return;
        }
        long[] ts = s.ts;
        Steps steps = new Steps(ev);
        for (int i = 0; i < s.n; i++) {
            count[steps.at(ts[i])]++;
        }
    }

    /** sum: {@link #add}'s compensated sum, in a loop of its own over the series' points. */
    private static void sum(Evaluator ev, Acc g, EvalSeries s) {
        long[] ts = s.ts;
        double[] vs = s.vs;
        int[] count = g.count;
        double[] value = g.value;
        double[] comp = g.comp;
        Steps steps = new Steps(ev);
        for (int i = 0; i < s.n; i++) {
            int k = steps.at(ts[i]);
            count[k]++;
            double v = vs[i];
            double before = value[k];
            double after = before + v;
            comp[k] = KahanSum.compensation(before, v, after, comp[k]);
            value[k] = after;
        }
    }

    private static void add(AggregateOp op, Acc g, int k, double v) {
        int n = ++g.count[k];
        switch (op) {
            case SUM -> {
                double t = g.value[k] + v;
                g.comp[k] = KahanSum.compensation(g.value[k], v, t, g.comp[k]);
                g.value[k] = t;
            }
            case AVG -> {
                if (n == 1) {
                    g.value[k] = v;
                    g.comp[k] = 0;
                    return;
                }
                if (!g.incremental[k]) {
                    double t = g.value[k] + v;
                    if (!Double.isInfinite(t)) {
                        g.comp[k] = KahanSum.compensation(g.value[k], v, t, g.comp[k]);
                        g.value[k] = t;
                        return;
                    }
                    g.incremental[k] = true;
                    g.mean[k] = g.value[k] / (n - 1);
                    g.meanC[k] = g.comp[k] / (n - 1);
                }
                double q = (n - 1) / (double) n;
                double inc = v / n;
                double base = q * g.mean[k];
                double t = base + inc;
                g.meanC[k] = KahanSum.compensation(base, inc, t, q * g.meanC[k]);
                g.mean[k] = t;
            }
            case MAX -> {
                if (n == 1 || g.value[k] < v || Double.isNaN(g.value[k])) {
                    g.value[k] = v;
                }
            }
            case MIN -> {
                if (n == 1 || g.value[k] > v || Double.isNaN(g.value[k])) {
                    g.value[k] = v;
                }
            }
            case STDDEV, STDVAR -> {
                // value = running mean, comp = sum of squared deviations (Welford).
                if (n == 1) {
                    g.value[k] = v;
                    g.comp[k] = Double.isFinite(v) ? 0 : Double.NaN;
                } else {
                    double delta = v - g.value[k];
                    g.value[k] += delta / n;
                    g.comp[k] += delta * (v - g.value[k]);
                }
            }
            default -> {
            }
        }
    }
}
