package io.sightline.promql.engine;

import io.sightline.promql.ast.Expr;
import java.util.Set;

/**
 * Which expressions give the same result at every step: everything they read is pinned with
 * {@code @}, and no function looks at the evaluation time. The evaluator computes such an expression
 * once and repeats it across the steps, as Prometheus's step-invariant optimisation does (an
 * aggregation's parameter is, as there, taken at the first step).
 */
final class StepInvariance {

    /** Functions whose result depends on the evaluation time even when their arguments do not. */
    private static final Set<String> TIME_DEPENDENT = Set.of("time", "timestamp", "predict_linear", "days_in_month",
            "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year");

    private StepInvariance() {}

    static boolean isInvariant(Expr e) {
        if (e instanceof Expr.NumberLiteral || e instanceof Expr.StringLiteral) {
            return true;
        }
        if (e instanceof Expr.VectorSelector vs) {
            return vs.at() != null;
        }
        if (e instanceof Expr.MatrixSelector ms) {
            return ms.selector().at() != null;
        }
        if (e instanceof Expr.Subquery sq) {
            return sq.at() != null;
        }
        if (e instanceof Expr.Paren p) {
            return isInvariant(p.expr());
        }
        if (e instanceof Expr.Unary u) {
            return isInvariant(u.expr());
        }
        if (e instanceof Expr.Binary b) {
            return isInvariant(b.lhs()) && isInvariant(b.rhs());
        }
        if (e instanceof Expr.Aggregate a) {
            return isInvariant(a.expr());
        }
        if (e instanceof Expr.Call c) {
            if (TIME_DEPENDENT.contains(c.function().name())) {
                return false;
            }
            for (Expr arg : c.args()) {
                if (!isInvariant(arg)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** Worth computing once: invariant, and more than a literal (literals are as cheap either way). */
    static boolean worthHoisting(Expr e) {
        return !(e instanceof Expr.NumberLiteral) && !(e instanceof Expr.StringLiteral) && isInvariant(e);
    }
}
