package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.Expr.BinaryOp;
import io.sightline.promql.ast.Expr.Cardinality;
import io.sightline.promql.ast.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Binary operators: scalar/scalar, vector/scalar and vector/vector with matching, and the set operators. */
final class BinaryOps {

    private BinaryOps() {}

    static List<EvalSeries> eval(Evaluator ev, Expr.Binary b) {
        ValueType lt = b.lhs().type();
        ValueType rt = b.rhs().type();
        List<EvalSeries> lhs = ev.eval(b.lhs());
        List<EvalSeries> rhs = ev.eval(b.rhs());
        if (lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
            return ev.rangeEval(List.of(lhs, rhs), (t, k, args, out) -> {
                double l = args.get(0).isEmpty() ? Double.NaN : args.get(0).get(0).v;
                double r = args.get(1).isEmpty() ? Double.NaN : args.get(1).get(0).v;
                double v = b.op().isComparison() ? (compare(b.op(), l, r) ? 1 : 0) : arithmetic(b.op(), l, r);
                out.add(new StepSample(Labels.empty(), v, false));
            });
        }
        if (lt == ValueType.VECTOR && rt == ValueType.VECTOR) {
            VectorMatcher vm = new VectorMatcher(b);
            List<EvalSeries> bySeries = vm.oneToOneBySeries(lhs, rhs);
            if (bySeries != null) {
                return bySeries;
            }
            return ev.rangeEval(List.of(lhs, rhs), (t, k, args, out) -> vm.apply(args.get(0), args.get(1), out));
        }
        return vectorScalar(ev, b, lt == ValueType.SCALAR ? rhs : lhs, lt == ValueType.SCALAR ? lhs : rhs,
                lt == ValueType.SCALAR);
    }

    /**
     * Vector and scalar, series by series: the labels do not change, so no step needs matching and no
     * per-sample objects are made.
     */
    private static List<EvalSeries> vectorScalar(Evaluator ev, Expr.Binary b, List<EvalSeries> vector,
            List<EvalSeries> scalar, boolean scalarLeft) {
        double[] s = new double[ev.steps];
        boolean[] has = new boolean[ev.steps];
        for (EvalSeries sc : scalar) {
            for (int i = 0; i < sc.n; i++) {
                int k = (int) ((sc.ts[i] - ev.start) / ev.interval);
                s[k] = sc.vs[i];
                has[k] = true;
            }
        }
        BinaryOp op = b.op();
        boolean comparison = op.isComparison();
        List<EvalSeries> out = new ArrayList<>(vector.size());
        for (EvalSeries in : vector) {
            boolean drop = !comparison || b.returnBool() || in.dropName;
            EvalSeries o = new EvalSeries(in.labels, drop, Math.max(1, in.n));
            for (int i = 0; i < in.n; i++) {
                int k = (int) ((in.ts[i] - ev.start) / ev.interval);
                if (!has[k]) {
                    continue;
                }
                double v = in.vs[i];
                double l = scalarLeft ? s[k] : v;
                double r = scalarLeft ? v : s[k];
                if (!comparison) {
                    o.add(in.ts[i], arithmetic(op, l, r));
                } else if (b.returnBool()) {
                    o.add(in.ts[i], compare(op, l, r) ? 1 : 0);
                } else if (compare(op, l, r)) {
                    o.add(in.ts[i], v);
                }
            }
            if (o.n > 0) {
                out.add(o);
            }
        }
        return out;
    }

    /** An arithmetic operator on two floats, with Go's semantics for {@code %} and {@code ^}. */
    static double arithmetic(BinaryOp op, double l, double r) {
        return switch (op) {
            case ADD -> l + r;
            case SUB -> l - r;
            case MUL -> l * r;
            case DIV -> l / r;
            case MOD -> GoMath.mod(l, r);
            case POW -> GoMath.pow(l, r);
            case ATAN2 -> Math.atan2(l, r);
            default -> throw new IllegalStateException("BUG: " + op + " is not arithmetic");
        };
    }

    /** A comparison operator on two floats (false whenever NaN is involved, except {@code !=}). */
    static boolean compare(BinaryOp op, double l, double r) {
        return switch (op) {
            case EQL -> l == r;
            case NEQ -> l != r;
            case GTR -> l > r;
            case LSS -> l < r;
            case GTE -> l >= r;
            case LTE -> l <= r;
            default -> throw new IllegalStateException("BUG: " + op + " is not a comparison");
        };
    }

    /** Vector-to-vector matching for one binary expression, applied step by step. */
    static final class VectorMatcher {
        private final Expr.Binary b;
        private final Expr.VectorMatching m;
        private final Map<Labels, String> sigCache = new HashMap<>();
        private final List<String> names;

        VectorMatcher(Expr.Binary b) {
            this.b = b;
            this.m = b.matching();
            TreeSet<String> sorted = new TreeSet<>(m.labels());
            if (!m.on()) {
                sorted.add(Labels.METRIC_NAME);
            }
            this.names = new ArrayList<>(sorted);
        }

        /**
         * One-to-one arithmetic or comparison when every match group has one series on each side over the
         * whole range (the usual case, e.g. {@code a / b}): series are paired once and joined on their
         * timestamps, with no per-step matching. Returns null to fall back to step-by-step matching,
         * which also raises the errors when a group has several series.
         */
        List<EvalSeries> oneToOneBySeries(List<EvalSeries> lhs, List<EvalSeries> rhs) {
            if (b.op().isSetOperator() || m.card() != Cardinality.ONE_TO_ONE || m.fillLeft() != null
                    || m.fillRight() != null) {
                return null;
            }
            Map<String, EvalSeries> right = new HashMap<>();
            for (EvalSeries s : rhs) {
                if (right.put(signature(s.labels), s) != null) {
                    return null;
                }
            }
            Set<String> left = new HashSet<>();
            for (EvalSeries s : lhs) {
                if (!left.add(signature(s.labels))) {
                    return null;
                }
            }
            boolean comparison = b.op().isComparison();
            List<EvalSeries> out = new ArrayList<>();
            for (EvalSeries ls : lhs) {
                EvalSeries rs = right.get(signature(ls.labels));
                if (rs == null) {
                    continue;
                }
                EvalSeries o = new EvalSeries(resultMetric(ls.labels, rs.labels),
                        b.returnBool() || comparison && ls.dropName, Math.max(1, Math.min(ls.n, rs.n)));
                int j = 0;
                for (int i = 0; i < ls.n; i++) {
                    long t = ls.ts[i];
                    while (j < rs.n && rs.ts[j] < t) {
                        j++;
                    }
                    if (j == rs.n || rs.ts[j] != t) {
                        continue;
                    }
                    double l = ls.vs[i];
                    double r = rs.vs[j];
                    if (!comparison) {
                        o.add(t, arithmetic(b.op(), l, r));
                    } else if (b.returnBool()) {
                        o.add(t, compare(b.op(), l, r) ? 1 : 0);
                    } else if (compare(b.op(), l, r)) {
                        o.add(t, l);
                    }
                }
                if (o.n > 0) {
                    out.add(o);
                }
            }
            return out;
        }

        String signature(Labels l) {
            return sigCache.computeIfAbsent(l, this::computeSignature);
        }

        private String computeSignature(Labels l) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < l.size(); i++) {
                String name = l.name(i);
                boolean listed = names.contains(name);
                if (m.on() == listed) {
                    sb.append(name).append('\u0000').append(l.value(i)).append('\u0001');
                }
            }
            return sb.toString();
        }

        void apply(List<StepSample> lhs, List<StepSample> rhs, List<StepSample> out) {
            switch (b.op()) {
                case AND -> {
                    Set<String> right = new HashSet<>();
                    for (StepSample s : rhs) {
                        right.add(signature(s.labels));
                    }
                    for (StepSample s : lhs) {
                        if (right.contains(signature(s.labels))) {
                            out.add(s);
                        }
                    }
                }
                case UNLESS -> {
                    Set<String> right = new HashSet<>();
                    for (StepSample s : rhs) {
                        right.add(signature(s.labels));
                    }
                    for (StepSample s : lhs) {
                        if (!right.contains(signature(s.labels))) {
                            out.add(s);
                        }
                    }
                }
                case OR -> {
                    Set<String> left = new HashSet<>();
                    for (StepSample s : lhs) {
                        left.add(signature(s.labels));
                        out.add(s);
                    }
                    for (StepSample s : rhs) {
                        if (!left.contains(signature(s.labels))) {
                            out.add(s);
                        }
                    }
                }
                default -> matchAndApply(lhs, rhs, out);
            }
        }

        private void matchAndApply(List<StepSample> lhsIn, List<StepSample> rhsIn, List<StepSample> out) {
            if (m.card() == Cardinality.MANY_TO_MANY) {
                throw QueryException.execution("many-to-many only allowed for set operators");
            }
            boolean swap = m.card() == Cardinality.ONE_TO_MANY;
            List<StepSample> many = swap ? rhsIn : lhsIn;
            List<StepSample> one = swap ? lhsIn : rhsIn;
            // As upstream: the sides swap for group_right, the fill values do not.
            Double fillOne = m.fillRight();
            Double fillMany = m.fillLeft();
            if (many.isEmpty() && one.isEmpty() || (many.isEmpty() || one.isEmpty()) && fillOne == null
                    && fillMany == null) {
                return;
            }
            Map<String, StepSample> oneBySig = new java.util.LinkedHashMap<>();
            for (StepSample s : one) {
                String sig = signature(s.labels);
                StepSample prev = oneBySig.putIfAbsent(sig, s);
                if (prev != null) {
                    throw QueryException.execution("found duplicate series for the match group " + groupText(s.labels)
                            + " on the " + (swap ? "left" : "right") + " hand-side of the operation: ["
                            + LabelText.braces(prev.labels) + ", " + LabelText.braces(s.labels)
                            + "];many-to-many matching not allowed: matching labels must be unique on one side");
                }
            }
            Map<String, Set<Labels>> matched = new HashMap<>();
            for (StepSample ms : many) {
                String sig = signature(ms.labels);
                StepSample os = oneBySig.get(sig);
                if (os == null) {
                    if (fillOne == null) {
                        continue;
                    }
                    os = new StepSample(matchLabels(ms.labels), fillOne, false);
                }
                emit(ms, os, swap, sig, matched, out);
            }
            if (fillMany != null) {
                for (Map.Entry<String, StepSample> e : oneBySig.entrySet()) {
                    if (!matched.containsKey(e.getKey())) {
                        StepSample os = e.getValue();
                        emit(new StepSample(matchLabels(os.labels), fillMany, false), os, swap, e.getKey(), matched,
                                out);
                    }
                }
            }
        }

        private void emit(StepSample ms, StepSample os, boolean swap, String sig, Map<String, Set<Labels>> matched,
                List<StepSample> out) {
            double l = swap ? os.v : ms.v;
            double r = swap ? ms.v : os.v;
            boolean comparison = b.op().isComparison();
            boolean keep = !comparison || compare(b.op(), l, r);
            Labels metric = resultMetric(ms.labels, os.labels);
            Set<Labels> seen = matched.computeIfAbsent(sig, x -> new HashSet<>());
            if (m.card() == Cardinality.ONE_TO_ONE) {
                if (!seen.isEmpty()) {
                    throw QueryException.execution("multiple matches for labels: many-to-one matching must be "
                            + "explicit (group_left/group_right)");
                }
                seen.add(metric);
            } else if (!seen.add(metric)) {
                throw QueryException.execution("multiple matches for labels: grouping labels must ensure unique "
                        + "matches");
            }
            double value;
            if (!comparison) {
                value = arithmetic(b.op(), l, r);
            } else if (b.returnBool()) {
                value = keep ? 1 : 0;
            } else if (keep) {
                value = l;
            } else {
                return;
            }
            // A filtering comparison passes the many side's sample on, with its pending name removal
            // (as a vector-scalar comparison does): rate(a[5m]) > rate(b[5m]) has no name, as in Prometheus.
            out.add(new StepSample(metric, value, b.returnBool() || comparison && ms.dropName));
        }

        /** The labels the matching looks at: the {@code on} labels, or all but the ignored ones and the name. */
        private Labels matchLabels(Labels l) {
            Labels.Builder lb = Labels.builder();
            for (int i = 0; i < l.size(); i++) {
                String name = l.name(i);
                boolean listed = m.labels().contains(name);
                if (m.on() ? listed : !listed && !name.equals(Labels.METRIC_NAME)) {
                    lb.set(name, l.value(i));
                }
            }
            return lb.build();
        }

        /** Labels of an output element: the "many" side's, less the name for arithmetic, plus group_x labels. */
        private Labels resultMetric(Labels many, Labels one) {
            Labels.Builder lb = many.toBuilder();
            if (!b.op().isComparison()) {
                lb.remove(Labels.METRIC_NAME);
            }
            if (m.card() == Cardinality.ONE_TO_ONE) {
                if (m.on()) {
                    Labels current = lb.build();
                    lb = Labels.builder();
                    for (String name : m.labels()) {
                        String v = current.get(name);
                        if (v != null && !v.isEmpty()) {
                            lb.set(name, v);
                        }
                    }
                } else {
                    for (String name : m.labels()) {
                        lb.remove(name);
                    }
                }
            }
            for (String name : m.include()) {
                String v = one.get(name);
                if (v != null && !v.isEmpty()) {
                    lb.set(name, v);
                } else {
                    lb.remove(name);
                }
            }
            return lb.build();
        }

        private String groupText(Labels l) {
            return LabelText.braces(matchLabels(l));
        }
    }
}
