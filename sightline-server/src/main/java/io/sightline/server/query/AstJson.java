package io.sightline.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sightline.common.LabelMatcher;
import io.sightline.promql.ast.DurationExpr;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.engine.ValueFormat;
import java.io.IOException;
import java.util.List;

/**
 * {@code /api/v1/parse_query}: the syntax tree as JSON in the shape Prometheus's API gives it
 * (node {@code type}s such as {@code vectorSelector}, {@code binaryExpr}, {@code aggregation}),
 * durations in milliseconds. Durations that depend on the query's step or range print as 0.
 */
final class AstJson {

    private AstJson() {}

    static void write(JsonGenerator g, Expr e) throws IOException {
        g.writeStartObject();
        if (e instanceof Expr.NumberLiteral n) {
            g.writeStringField("type", "numberLiteral");
            g.writeStringField("val", ValueFormat.value(n.value()));
        } else if (e instanceof Expr.StringLiteral s) {
            g.writeStringField("type", "stringLiteral");
            g.writeStringField("val", s.value());
        } else if (e instanceof Expr.Paren p) {
            g.writeStringField("type", "parenExpr");
            g.writeFieldName("expr");
            write(g, p.expr());
        } else if (e instanceof Expr.Unary u) {
            g.writeStringField("type", "unaryExpr");
            g.writeStringField("op", u.negate() ? "-" : "+");
            g.writeFieldName("expr");
            write(g, u.expr());
        } else if (e instanceof Expr.VectorSelector vs) {
            g.writeStringField("type", "vectorSelector");
            selector(g, vs);
        } else if (e instanceof Expr.MatrixSelector ms) {
            g.writeStringField("type", "matrixSelector");
            g.writeNumberField("range", millis(ms.range()));
            selector(g, ms.selector());
        } else if (e instanceof Expr.Subquery sq) {
            g.writeStringField("type", "subquery");
            g.writeFieldName("expr");
            write(g, sq.expr());
            g.writeNumberField("range", millis(sq.range()));
            g.writeNumberField("offset", millis(sq.offset()));
            g.writeNumberField("step", millis(sq.step()));
            at(g, sq.at());
        } else if (e instanceof Expr.Call c) {
            g.writeStringField("type", "call");
            g.writeObjectFieldStart("func");
            g.writeStringField("name", c.function().name());
            g.writeArrayFieldStart("argTypes");
            for (var t : c.function().argTypes()) {
                g.writeString(t.apiName());
            }
            g.writeEndArray();
            g.writeNumberField("variadic", c.function().variadic());
            g.writeStringField("returnType", c.function().returnType().apiName());
            g.writeEndObject();
            g.writeArrayFieldStart("args");
            for (Expr a : c.args()) {
                write(g, a);
            }
            g.writeEndArray();
        } else if (e instanceof Expr.Aggregate a) {
            g.writeStringField("type", "aggregation");
            g.writeStringField("op", a.op().text());
            g.writeFieldName("expr");
            write(g, a.expr());
            g.writeFieldName("param");
            if (a.param() == null) {
                g.writeNull();
            } else {
                write(g, a.param());
            }
            strings(g, "grouping", a.grouping());
            g.writeBooleanField("without", a.without());
        } else if (e instanceof Expr.Binary b) {
            g.writeStringField("type", "binaryExpr");
            g.writeStringField("op", b.op().text());
            g.writeFieldName("lhs");
            write(g, b.lhs());
            g.writeFieldName("rhs");
            write(g, b.rhs());
            g.writeFieldName("matching");
            if (b.matching() == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeStringField("card", switch (b.matching().card()) {
                    case ONE_TO_ONE -> "one-to-one";
                    case MANY_TO_ONE -> "many-to-one";
                    case ONE_TO_MANY -> "one-to-many";
                    case MANY_TO_MANY -> "many-to-many";
                });
                strings(g, "labels", b.matching().labels());
                g.writeBooleanField("on", b.matching().on());
                strings(g, "include", b.matching().include());
                g.writeEndObject();
            }
            g.writeBooleanField("bool", b.returnBool());
        }
        g.writeEndObject();
    }

    private static long millis(DurationExpr d) {
        return d == null || d.dynamic() ? 0 : d.millis(0, 0);
    }

    private static void selector(JsonGenerator g, Expr.VectorSelector vs) throws IOException {
        g.writeStringField("name", vs.name() == null ? "" : vs.name());
        g.writeArrayFieldStart("matchers");
        for (LabelMatcher m : vs.matchers()) {
            g.writeStartObject();
            g.writeStringField("type", m.type().op());
            g.writeStringField("name", m.name());
            g.writeStringField("value", m.value());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("offset", millis(vs.offset()));
        at(g, vs.at());
    }

    private static void at(JsonGenerator g, Expr.At at) throws IOException {
        if (at == null) {
            g.writeNullField("timestamp");
            g.writeNullField("startOrEnd");
        } else if (at.kind() == Expr.AtKind.TIMESTAMP) {
            g.writeNumberField("timestamp", at.timestampMs());
            g.writeNullField("startOrEnd");
        } else {
            g.writeNullField("timestamp");
            g.writeStringField("startOrEnd", at.kind() == Expr.AtKind.START ? "start" : "end");
        }
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
