package io.sightline.promql.engine;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code info(v [, {selector}])}: adds to each series of {@code v} the data labels of the info series
 * ({@code target_info} unless the selector names others) that share its identifying labels
 * {@code instance} and {@code job}. Labels the series already has are kept; the selector's other
 * matchers pick which info series, and which of their labels, to use. A series no info series joins
 * is dropped when a data matcher requires a non-empty value, else returned unchanged.
 */
final class InfoFunction {

    private static final List<String> IDENTIFYING = List.of("instance", "job");

    private InfoFunction() {}

    static List<EvalSeries> eval(Evaluator ev, Expr.Call c) {
        List<EvalSeries> base = ev.eval(c.args().get(0));
        List<LabelMatcher> nameMatchers = new ArrayList<>();
        List<LabelMatcher> dataMatchers = new ArrayList<>();
        if (c.args().size() > 1) {
            Expr sel = c.args().get(1);
            while (sel instanceof Expr.Paren p) {
                sel = p.expr();
            }
            if (!(sel instanceof Expr.VectorSelector vs)) {
                throw QueryException.execution("info(): the second argument must be a label selector");
            }
            for (LabelMatcher m : vs.matchers()) {
                (m.name().equals(Labels.METRIC_NAME) ? nameMatchers : dataMatchers).add(m);
            }
        }
        if (nameMatchers.isEmpty()) {
            nameMatchers.add(LabelMatcher.equal(Labels.METRIC_NAME, "target_info"));
        }
        if (nameMatchers.stream().allMatch(LabelMatcher::matchesEmpty)) {
            // Only exclusions were given: the candidates are still info metrics.
            nameMatchers.add(LabelMatcher.regex(Labels.METRIC_NAME, ".+_info"));
        }
        List<LabelMatcher> infoMatchers = new ArrayList<>(nameMatchers);
        infoMatchers.addAll(dataMatchers);
        // Info series are read as of the time the base series are read (its @ and offsets).
        Ref ref = reference(ev, c.args().get(0), new Ref(null, 0));
        Expr.VectorSelector infoSelector = new Expr.VectorSelector(null, List.copyOf(infoMatchers),
                ref.offsetMs == 0 ? null : io.sightline.promql.ast.DurationExpr.Literal.ofMillis(ref.offsetMs),
                ref.atMs == null ? null : new Expr.At(Expr.AtKind.TIMESTAMP, ref.atMs), false, c.start(), c.end());
        // Values are the info samples' own timestamps, so the newest one wins a tie of keys.
        List<EvalSeries> info = ev.vectorSelector(infoSelector, true);
        boolean dropUnmatched = dataMatchers.stream().anyMatch(m -> !m.matchesEmpty());
        return ev.rangeEval(List.of(base, info), (t, k, args, out) -> {
            Map<Labels, StepSample> newest = new LinkedHashMap<>();
            for (StepSample s : args.get(1)) {
                Labels key = key(s.labels, true);
                StepSample prev = newest.get(key);
                if (prev != null && prev.v == s.v) {
                    throw QueryException.execution("found duplicate series for info metric: existing "
                            + LabelText.braces(prev.labels) + " @ " + Math.round(prev.v * 1000) + ", new "
                            + LabelText.braces(s.labels) + " @ " + Math.round(s.v * 1000));
                }
                if (prev == null || s.v > prev.v) {
                    newest.put(key, s);
                }
            }
            for (StepSample b : args.get(0)) {
                if (matchesAll(nameMatchers, b.labels)) {
                    out.add(b);
                    continue;
                }
                Labels id = key(b.labels, false);
                Map<String, String> added = new LinkedHashMap<>();
                boolean joined = false;
                for (StepSample i : newest.values()) {
                    if (!key(i.labels, false).equals(id)) {
                        continue;
                    }
                    joined = true;
                    for (int li = 0; li < i.labels.size(); li++) {
                        String name = i.labels.name(li);
                        if (name.equals(Labels.METRIC_NAME) || IDENTIFYING.contains(name) || b.labels.has(name)) {
                            continue;
                        }
                        if (!dataMatchers.isEmpty() && dataMatchers.stream().noneMatch(m -> m.name().equals(name))) {
                            continue;
                        }
                        String prev = added.putIfAbsent(name, i.labels.value(li));
                        if (prev != null && !prev.equals(i.labels.value(li))) {
                            throw QueryException.execution("conflicting label: " + name);
                        }
                    }
                }
                if (!joined && dropUnmatched) {
                    continue;
                }
                if (added.isEmpty()) {
                    out.add(b);
                } else {
                    Labels.Builder lb = b.labels.toBuilder();
                    added.forEach(lb::set);
                    out.add(new StepSample(lb.build(), b.v, b.dropName));
                }
            }
        });
    }

    /** When the base expression reads its samples: pinned at {@code atMs}, or at step time minus {@code offsetMs}. */
    private record Ref(Long atMs, long offsetMs) {
        Ref shift(Evaluator ev, Expr.At at, io.sightline.promql.ast.DurationExpr offset) {
            long off = ev.ctx.duration(offset);
            if (at != null) {
                return new Ref(ev.ctx.at(at) - off, 0);
            }
            return atMs != null ? new Ref(atMs - off, 0) : new Ref(null, offsetMs + off);
        }
    }

    /** Follows the leftmost path to a selector, applying the @ and offsets met on the way. */
    private static Ref reference(Evaluator ev, Expr e, Ref cur) {
        if (e instanceof Expr.VectorSelector vs) {
            return cur.shift(ev, vs.at(), vs.offset());
        }
        if (e instanceof Expr.MatrixSelector ms) {
            return cur.shift(ev, ms.selector().at(), ms.selector().offset());
        }
        if (e instanceof Expr.Subquery sq) {
            return reference(ev, sq.expr(), cur.shift(ev, sq.at(), sq.offset()));
        }
        for (Expr child : io.sightline.promql.ast.AstWalk.children(e)) {
            if (child.type() == io.sightline.promql.ast.ValueType.VECTOR
                    || child.type() == io.sightline.promql.ast.ValueType.MATRIX) {
                return reference(ev, child, cur);
            }
        }
        return cur;
    }

    private static boolean matchesAll(List<LabelMatcher> matchers, Labels l) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(l)) {
                return false;
            }
        }
        return true;
    }

    /** The identifying labels, with the info metric's name when {@code withName}. */
    private static Labels key(Labels l, boolean withName) {
        Labels.Builder b = Labels.builder();
        if (withName) {
            b.set(Labels.METRIC_NAME, l.metricName());
        }
        for (String name : IDENTIFYING) {
            String v = l.get(name);
            if (v != null) {
                b.set(name, v);
            }
        }
        return b.build();
    }
}
