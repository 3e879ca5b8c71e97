package io.sightline.promql.ast;

import io.sightline.common.LabelMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small traversals of expression trees: children, selectors, called functions, and {@code @} pinning. */
public final class AstWalk {

    private AstWalk() {}

    public static List<Expr> children(Expr e) {
        if (e instanceof Expr.Paren p) {
            return List.of(p.expr());
        }
        if (e instanceof Expr.Unary u) {
            return List.of(u.expr());
        }
        if (e instanceof Expr.Binary b) {
            return List.of(b.lhs(), b.rhs());
        }
        if (e instanceof Expr.Call c) {
            return c.args();
        }
        if (e instanceof Expr.Aggregate a) {
            return a.param() == null ? List.of(a.expr()) : List.of(a.param(), a.expr());
        }
        if (e instanceof Expr.MatrixSelector m) {
            return List.of(m.selector());
        }
        if (e instanceof Expr.Subquery s) {
            return List.of(s.expr());
        }
        return List.of();
    }

    /** The matchers of every instant or range selector in the tree. */
    public static void selectors(Expr e, List<List<LabelMatcher>> out) {
        if (e instanceof Expr.VectorSelector vs) {
            out.add(vs.matchers());
        }
        for (Expr c : children(e)) {
            selectors(c, out);
        }
    }

    public static boolean callsAny(Expr e, Set<String> functions) {
        if (e instanceof Expr.Call c && functions.contains(c.function().name())) {
            return true;
        }
        for (Expr c : children(e)) {
            if (callsAny(c, functions)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A copy of the tree with {@code @ timestampMs} on every selector and subquery that has none and is
     * not inside one that has one (so a subquery's inside is left alone once the subquery is pinned).
     */
    public static Expr pinAt(Expr e, long timestampMs) {
        Expr.At at = new Expr.At(Expr.AtKind.TIMESTAMP, timestampMs);
        if (e instanceof Expr.VectorSelector vs) {
            return vs.at() != null ? vs : vs.withModifiers(vs.offset(), at, vs.end());
        }
        if (e instanceof Expr.MatrixSelector m) {
            Expr.VectorSelector vs = m.selector();
            return vs.at() != null ? m : new Expr.MatrixSelector(vs.withModifiers(vs.offset(), at, vs.end()),
                    m.range(), m.mode(), m.start(), m.end());
        }
        if (e instanceof Expr.Subquery s) {
            return s.at() != null ? s : new Expr.Subquery(s.expr(), s.range(), s.step(), s.offset(), at, s.start(),
                    s.end());
        }
        if (e instanceof Expr.Paren p) {
            return new Expr.Paren(pinAt(p.expr(), timestampMs), p.start(), p.end());
        }
        if (e instanceof Expr.Unary u) {
            return new Expr.Unary(u.negate(), pinAt(u.expr(), timestampMs), u.start(), u.end());
        }
        if (e instanceof Expr.Binary b) {
            return new Expr.Binary(b.op(), pinAt(b.lhs(), timestampMs), pinAt(b.rhs(), timestampMs), b.matching(),
                    b.returnBool(), b.start(), b.end());
        }
        if (e instanceof Expr.Call c) {
            List<Expr> args = new ArrayList<>();
            for (Expr a : c.args()) {
                args.add(pinAt(a, timestampMs));
            }
            return new Expr.Call(c.function(), args, c.start(), c.end());
        }
        if (e instanceof Expr.Aggregate a) {
            return new Expr.Aggregate(a.op(), pinAt(a.expr(), timestampMs),
                    a.param() == null ? null : pinAt(a.param(), timestampMs), a.grouping(), a.without(),
                    a.groupingGiven(), a.start(), a.end());
        }
        return e;
    }
}
