package io.sightline.promql.ast;

import io.sightline.common.LabelMatcher;
import java.util.List;

/**
 * A node of a parsed PromQL expression. Every node knows the half-open character range
 * {@code [start, end)} of the query text it came from, so errors and annotations can point at it.
 */
public sealed interface Expr {

    int start();

    int end();

    ValueType type();

    /** A float literal; durations used as numbers ({@code 5m}) are seconds. */
    record NumberLiteral(double value, int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }
    }

    record StringLiteral(String value, int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.STRING;
        }
    }

    /** How an {@code @} modifier pins evaluation time. */
    enum AtKind { TIMESTAMP, START, END }

    /** The {@code @} modifier; {@code timestampMs} is meaningful for {@link AtKind#TIMESTAMP} only. */
    record At(AtKind kind, long timestampMs) {}

    /**
     * An instant vector selector. {@code name} is the metric name when given outside the braces
     * (or as the bare quoted name inside them); the name is also one of the {@code matchers}.
     * {@code smoothed} (experimental) interpolates between the samples around each step.
     */
    record VectorSelector(String name, List<LabelMatcher> matchers, DurationExpr offset, At at, boolean smoothed,
            int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.VECTOR;
        }

        public VectorSelector withModifiers(DurationExpr newOffset, At newAt, int newEnd) {
            return new VectorSelector(name, matchers, newOffset, newAt, smoothed, start, newEnd);
        }

        public VectorSelector withSmoothed(int newEnd) {
            return new VectorSelector(name, matchers, offset, at, true, start, newEnd);
        }
    }

    /** Extended range selector behaviour (Prometheus's experimental {@code anchored} and {@code smoothed}). */
    enum RangeMode { PLAIN, ANCHORED, SMOOTHED }

    /** {@code selector[range]}; offset and {@code @} are kept on the inner selector. */
    record MatrixSelector(VectorSelector selector, DurationExpr range, RangeMode mode, int start, int end)
            implements Expr {
        @Override
        public ValueType type() {
            return ValueType.MATRIX;
        }
    }

    /** {@code expr[range:step]}; a null step means the engine's default subquery step. */
    record Subquery(Expr expr, DurationExpr range, DurationExpr step, DurationExpr offset, At at, int start, int end)
            implements Expr {
        @Override
        public ValueType type() {
            return ValueType.MATRIX;
        }
    }

    record Call(FunctionSignature function, List<Expr> args, int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return function.returnType();
        }
    }

    enum AggregateOp {
        SUM, AVG, MIN, MAX, COUNT, GROUP, STDDEV, STDVAR, TOPK, BOTTOMK, QUANTILE, COUNT_VALUES, LIMITK, LIMIT_RATIO;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public boolean hasParameter() {
            return this == TOPK || this == BOTTOMK || this == QUANTILE || this == COUNT_VALUES || this == LIMITK
                    || this == LIMIT_RATIO;
        }

        public static AggregateOp lookup(String word) {
            for (AggregateOp op : values()) {
                if (op.text().equalsIgnoreCase(word)) {
                    return op;
                }
            }
            return null;
        }
    }

    record Aggregate(AggregateOp op, Expr expr, Expr param, List<String> grouping, boolean without,
            boolean groupingGiven, int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return ValueType.VECTOR;
        }
    }

    enum BinaryOp {
        ADD("+", 4), SUB("-", 4), MUL("*", 5), DIV("/", 5), MOD("%", 5), ATAN2("atan2", 5), POW("^", 6),
        EQL("==", 3), NEQ("!=", 3), GTR(">", 3), LSS("<", 3), GTE(">=", 3), LTE("<=", 3),
        AND("and", 2), UNLESS("unless", 2), OR("or", 1);

        private final String text;
        private final int precedence;

        BinaryOp(String text, int precedence) {
            this.text = text;
            this.precedence = precedence;
        }

        public String text() {
            return text;
        }

        public int precedence() {
            return precedence;
        }

        public boolean isComparison() {
            return precedence == 3;
        }

        public boolean isSetOperator() {
            return this == AND || this == OR || this == UNLESS;
        }

        public boolean rightAssociative() {
            return this == POW;
        }
    }

    enum Cardinality { ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY }

    /**
     * Vector matching of a binary operation. {@code on} tells whether {@code labels} came from
     * {@code on(...)} (true) or {@code ignoring(...)}; {@code include} are the {@code group_x} labels.
     * A non-null fill value stands in for a missing sample on that side ({@code fill}, {@code fill_left},
     * {@code fill_right}).
     */
    record VectorMatching(Cardinality card, List<String> labels, boolean on, List<String> include,
            Double fillLeft, Double fillRight) {
        public static VectorMatching defaults(Cardinality card) {
            return new VectorMatching(card, List.of(), false, List.of(), null, null);
        }
    }

    /** A binary operation; {@code matching} is null unless both sides are instant vectors. */
    record Binary(BinaryOp op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool, int start, int end)
            implements Expr {
        @Override
        public ValueType type() {
            return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR
                    ? ValueType.SCALAR : ValueType.VECTOR;
        }
    }

    /** Unary minus or plus. */
    record Unary(boolean negate, Expr expr, int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return expr.type();
        }
    }

    record Paren(Expr expr, int start, int end) implements Expr {
        @Override
        public ValueType type() {
            return expr.type();
        }
    }
}
