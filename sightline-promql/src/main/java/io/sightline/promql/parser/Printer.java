package io.sightline.promql.parser;

import io.sightline.common.GoFloat;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.DurationExpr;
import io.sightline.promql.ast.Expr;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints an expression in Prometheus's canonical form (what {@code /api/v1/format_query} returns):
 * single spaces around binary operators, {@code sum by (a) (x)}, matchers quoted Go-style,
 * {@code @} before {@code offset}. Parsing the output gives the same tree.
 */
public final class Printer {

    private Printer() {}

    public static String print(Expr e) {
        StringBuilder sb = new StringBuilder();
        write(e, sb);
        return sb.toString();
    }

    private static void write(Expr e, StringBuilder sb) {
        if (e instanceof Expr.NumberLiteral n) {
            sb.append(number(n.value()));
        } else if (e instanceof Expr.StringLiteral s) {
            quote(s.value(), sb);
        } else if (e instanceof Expr.Paren p) {
            sb.append('(');
            write(p.expr(), sb);
            sb.append(')');
        } else if (e instanceof Expr.Unary u) {
            sb.append(u.negate() ? '-' : '+');
            write(u.expr(), sb);
        } else if (e instanceof Expr.VectorSelector vs) {
            selector(vs, sb);
            if (vs.smoothed()) {
                sb.append(" smoothed");
            }
            modifiers(vs.at(), vs.offset(), sb);
        } else if (e instanceof Expr.MatrixSelector ms) {
            selector(ms.selector(), sb);
            sb.append('[');
            duration(ms.range(), sb);
            sb.append(']');
            if (ms.mode() != Expr.RangeMode.PLAIN) {
                sb.append(' ').append(ms.mode().name().toLowerCase(Locale.ROOT));
            }
            modifiers(ms.selector().at(), ms.selector().offset(), sb);
        } else if (e instanceof Expr.Subquery sq) {
            write(sq.expr(), sb);
            sb.append('[');
            duration(sq.range(), sb);
            sb.append(':');
            if (sq.step() != null) {
                duration(sq.step(), sb);
            }
            sb.append(']');
            modifiers(sq.at(), sq.offset(), sb);
        } else if (e instanceof Expr.Call c) {
            sb.append(c.function().name()).append('(');
            for (int i = 0; i < c.args().size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                write(c.args().get(i), sb);
            }
            sb.append(')');
        } else if (e instanceof Expr.Aggregate a) {
            sb.append(a.op().text());
            if (a.without()) {
                sb.append(" without (");
                names(a.grouping(), sb);
                sb.append(") ");
            } else if (!a.grouping().isEmpty()) {
                sb.append(" by (");
                names(a.grouping(), sb);
                sb.append(") ");
            }
            sb.append('(');
            if (a.param() != null) {
                write(a.param(), sb);
                sb.append(", ");
            }
            write(a.expr(), sb);
            sb.append(')');
        } else if (e instanceof Expr.Binary b) {
            write(b.lhs(), sb);
            sb.append(' ').append(b.op().text());
            if (b.returnBool()) {
                sb.append(" bool");
            }
            Expr.VectorMatching m = b.matching();
            boolean grouped = m != null
                    && (m.card() == Expr.Cardinality.MANY_TO_ONE || m.card() == Expr.Cardinality.ONE_TO_MANY);
            // Prometheus drops an empty ignoring () together with its group_left/right, which turns the
            // many-to-one match into a one-to-one: here the grouping keeps its ignoring ().
            if (m != null && (!m.labels().isEmpty() || m.on() || grouped)) {
                sb.append(m.on() ? " on (" : " ignoring (");
                names(m.labels(), sb);
                sb.append(')');
                if (grouped) {
                    sb.append(m.card() == Expr.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (");
                    names(m.include(), sb);
                    sb.append(')');
                }
            }
            if (m != null) {
                if (m.fillLeft() != null && m.fillRight() != null && m.fillLeft().equals(m.fillRight())) {
                    sb.append(" fill (").append(number(m.fillLeft())).append(')');
                } else {
                    if (m.fillLeft() != null) {
                        sb.append(" fill_left (").append(number(m.fillLeft())).append(')');
                    }
                    if (m.fillRight() != null) {
                        sb.append(" fill_right (").append(number(m.fillRight())).append(')');
                    }
                }
            }
            sb.append(' ');
            write(b.rhs(), sb);
        } else {
            throw new IllegalStateException("BUG: cannot print " + e);
        }
    }

    /**
     * Whether a metric name, written bare, parses back as that metric: not for words the parser reads
     * otherwise ({@code or}, {@code by}, {@code Inf}, ...), which print as {@code {__name__="or"}}.
     */
    private static boolean standsAlone(String name) {
        try {
            return Parser.parse(name) instanceof Expr.VectorSelector v && name.equals(v.name());
        } catch (ParseException e) {
            return false;
        }
    }

    private static void selector(Expr.VectorSelector vs, StringBuilder sb) {
        String name = vs.name();
        // Written as a bare name only when it is the one name matcher: {"x", __name__="y"} is not x{__name__="y"},
        // which sets the name twice.
        boolean plainName = name != null && isIdentifier(name) && standsAlone(name)
                && vs.matchers().stream().filter(m -> m.name().equals(Labels.METRIC_NAME)).count() == 1;
        List<LabelMatcher> rest = new ArrayList<>();
        for (LabelMatcher m : vs.matchers()) {
            if (plainName && m.name().equals(Labels.METRIC_NAME) && m.type() == LabelMatcher.Type.EQUAL
                    && m.value().equals(name)) {
                continue;
            }
            rest.add(m);
        }
        if (plainName) {
            sb.append(name);
            if (rest.isEmpty()) {
                return;
            }
        }
        sb.append('{');
        for (int i = 0; i < rest.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            LabelMatcher m = rest.get(i);
            if (isLabelName(m.name())) {
                sb.append(m.name());
            } else {
                quote(m.name(), sb);
            }
            sb.append(m.type().op());
            quote(m.value(), sb);
        }
        sb.append('}');
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Lexer.isIdentStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Lexer.isIdentPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A label name that needs no quotes: an identifier without ':', which only metric names may hold. */
    private static boolean isLabelName(String s) {
        return isIdentifier(s) && s.indexOf(':') < 0;
    }

    private static void modifiers(Expr.At at, DurationExpr offset, StringBuilder sb) {
        if (at != null) {
            sb.append(" @ ");
            switch (at.kind()) {
                case START -> sb.append("start()");
                case END -> sb.append("end()");
                case TIMESTAMP -> sb.append(BigDecimal.valueOf(at.timestampMs()).movePointLeft(3).setScale(3)
                        .toPlainString());
            }
        }
        if (offset != null) {
            sb.append(" offset ");
            if (offset instanceof DurationExpr.Literal || offset instanceof DurationExpr.Paren
                    || offset instanceof DurationExpr.QueryParam
                    || offset instanceof DurationExpr.Negate n && n.expr() instanceof DurationExpr.Literal) {
                duration(offset, sb);
            } else {
                sb.append('(');
                duration(offset, sb);
                sb.append(')');
            }
        }
    }

    private static void duration(DurationExpr d, StringBuilder sb) {
        if (d instanceof DurationExpr.Literal l) {
            sb.append(l.isDuration() ? Durations.format(Math.round(l.secondsValue() * 1000)) : number(l.secondsValue()));
        } else if (d instanceof DurationExpr.QueryParam q) {
            sb.append(q.step() ? "step()" : "range()");
        } else if (d instanceof DurationExpr.Negate n) {
            sb.append('-');
            duration(n.expr(), sb);
        } else if (d instanceof DurationExpr.Paren p) {
            sb.append('(');
            duration(p.expr(), sb);
            sb.append(')');
        } else if (d instanceof DurationExpr.Arithmetic a) {
            if (a.op().equals("min_of") || a.op().equals("max_of")) {
                sb.append(a.op()).append('(');
                duration(a.lhs(), sb);
                sb.append(", ");
                duration(a.rhs(), sb);
                sb.append(')');
            } else {
                duration(a.lhs(), sb);
                sb.append(' ').append(a.op()).append(' ');
                duration(a.rhs(), sb);
            }
        }
    }

    private static void names(List<String> names, StringBuilder sb) {
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String n = names.get(i);
            if (isLabelName(n)) {
                sb.append(n);
            } else {
                quote(n, sb);
            }
        }
    }

    /**
     * As the current Prometheus writes number literals ({@code strconv.AppendFloat(v, 'f', -1)}): the
     * shortest digits, never an exponent ({@code 1000000}, {@code 0.00001}). Prometheus 2.x wrote
     * {@code fmt.Sprint}'s {@code 1e+06}; both parse back to the same value.
     */
    static String number(double v) {
        return GoFloat.plain(v);
    }

    /** Go's strconv.Quote: double quotes, backslash escapes, \\u for other control characters. */
    static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\u0007' -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\u000b' -> sb.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
