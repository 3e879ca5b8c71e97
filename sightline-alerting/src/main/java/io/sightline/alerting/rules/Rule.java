package io.sightline.alerting.rules;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import java.util.Map;

/** A rule of a Prometheus rule file, validated: its expression parsed, its names and durations checked. */
public sealed interface Rule permits Rule.Recording, Rule.Alerting {
    /** The recorded metric name or the alert name. */
    String name();

    Expr expr();

    /** The expression as written in the file (what the API shows). */
    String exprText();

    /** Labels added to each result; for alerts they may be templates. */
    Labels labels();

    /** {@code record:}: writes the expression's result as series named {@link #name()}. */
    record Recording(String name, Expr expr, String exprText, Labels labels) implements Rule {}

    /**
     * {@code alert:}: each result series is an alert, pending until it has lasted {@code forMs}, then
     * firing; it keeps firing {@code keepFiringForMs} after its series went away.
     */
    record Alerting(String name, Expr expr, String exprText, long forMs, long keepFiringForMs, Labels labels,
            Map<String, String> annotations) implements Rule {}
}
