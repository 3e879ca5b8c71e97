package io.sightline.promql.ast;

/**
 * A duration in an offset, a range or a subquery step: a literal, or (Prometheus's duration
 * expressions) arithmetic over literals, {@code step()}, {@code range()}, {@code min_of} and
 * {@code max_of}. Values are computed in seconds as doubles, like Prometheus, and rounded to
 * milliseconds once.
 */
public sealed interface DurationExpr {

    /** The duration in milliseconds for a query of the given step and range (both milliseconds). */
    default long millis(long stepMs, long rangeMs) {
        return Math.round(seconds(stepMs, rangeMs) * 1000.0);
    }

    double seconds(long stepMs, long rangeMs);

    /** True when the value depends on the query's step or range. */
    boolean dynamic();

    /** A literal: {@code 5m}, {@code 1800} (seconds), {@code 1.5}. {@code text} is as written. */
    record Literal(double secondsValue, boolean isDuration, String text) implements DurationExpr {
        public static Literal ofMillis(long ms) {
            return new Literal(ms / 1000.0, true, io.sightline.promql.parser.Durations.format(ms));
        }

        @Override
        public double seconds(long stepMs, long rangeMs) {
            return secondsValue;
        }

        @Override
        public boolean dynamic() {
            return false;
        }
    }

    /** {@code step()} or {@code range()} of the enclosing query. */
    record QueryParam(boolean step) implements DurationExpr {
        @Override
        public double seconds(long stepMs, long rangeMs) {
            return (step ? stepMs : rangeMs) / 1000.0;
        }

        @Override
        public boolean dynamic() {
            return true;
        }
    }

    record Negate(DurationExpr expr, boolean parenthesised) implements DurationExpr {
        @Override
        public double seconds(long stepMs, long rangeMs) {
            return -expr.seconds(stepMs, rangeMs);
        }

        @Override
        public boolean dynamic() {
            return expr.dynamic();
        }
    }

    record Paren(DurationExpr expr) implements DurationExpr {
        @Override
        public double seconds(long stepMs, long rangeMs) {
            return expr.seconds(stepMs, rangeMs);
        }

        @Override
        public boolean dynamic() {
            return expr.dynamic();
        }
    }

    /** {@code op} is one of {@code + - * / % ^}, or {@code min_of}/{@code max_of}. */
    record Arithmetic(String op, DurationExpr lhs, DurationExpr rhs) implements DurationExpr {
        @Override
        public double seconds(long stepMs, long rangeMs) {
            double a = lhs.seconds(stepMs, rangeMs);
            double b = rhs.seconds(stepMs, rangeMs);
            return switch (op) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                case "/" -> a / b;
                case "%" -> a % b;
                case "^" -> Math.pow(a, b);
                case "min_of" -> Math.min(a, b);
                case "max_of" -> Math.max(a, b);
                default -> throw new IllegalStateException("BUG: duration operator " + op);
            };
        }

        @Override
        public boolean dynamic() {
            return lhs.dynamic() || rhs.dynamic();
        }
    }
}
