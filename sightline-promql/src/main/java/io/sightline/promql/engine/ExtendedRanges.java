package io.sightline.promql.engine;

import io.sightline.promql.ast.Expr;
import java.util.Set;

/** Prometheus's experimental {@code anchored} and {@code smoothed} range selectors. */
final class ExtendedRanges {

    private static final Set<String> ANCHORED = Set.of("changes", "delta", "increase", "rate", "resets");
    private static final Set<String> SMOOTHED = Set.of("delta", "increase", "rate");

    private ExtendedRanges() {}

    static void check(String function, Expr.RangeMode mode) {
        if (mode == Expr.RangeMode.ANCHORED && !ANCHORED.contains(function)) {
            throw QueryException.execution("anchored modifier can only be used with: changes, delta, increase, rate, "
                    + "resets - not with " + function);
        }
        if (mode == Expr.RangeMode.SMOOTHED && !SMOOTHED.contains(function)) {
            throw QueryException.execution("smoothed modifier can only be used with: delta, increase, rate - not with "
                    + function);
        }
    }

    static double apply(String function, Expr.RangeMode mode, EvalSeries s, long rangeStart, long rangeEnd,
            long lookbackMs) {
        throw QueryException.execution(mode.name().toLowerCase(java.util.Locale.ROOT)
                + " range selectors are not supported yet");
    }
}
