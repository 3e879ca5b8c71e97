package io.sightline.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.alerting.rules.Alert;
import io.sightline.alerting.rules.GroupEvaluator;
import io.sightline.alerting.rules.Rule;
import io.sightline.alerting.rules.RuleManager;
import io.sightline.server.auth.Scope;
import io.sightline.server.http.Endpoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/rules} ({@code type=alert|record}, {@code rule_name[]}, {@code rule_group[]},
 * {@code file[]}) and {@code GET /api/v1/alerts}, in Prometheus's shapes: groups with their rules,
 * each rule's health, last error, evaluation time, and for alerting rules its state and alerts.
 */
public final class RulesApi {

    private final Supplier<RuleManager> rules;

    /** @param rules the running rule manager, or null when the server runs none */
    public RulesApi(Supplier<RuleManager> rules) {
        this.rules = rules;
    }

    public List<Endpoint> endpoints() {
        Set<HttpMethod> get = Set.of(HttpMethod.GET);
        return List.of(
                Endpoint.of("/api/v1/rules", get, Scope.READ, QueryApi.inline(this::rules)),
                Endpoint.of("/api/v1/alerts", get, Scope.READ, QueryApi.inline(this::alerts)));
    }


    private List<GroupEvaluator> groups() {
        RuleManager m = rules.get();
        return m == null ? List.of() : m.groups();
    }

    private HttpResponse rules(ServiceRequestContext ctx, ApiParams p) {
        String type = p.get("type");
        if (type != null && !type.isEmpty() && !type.equals("alert") && !type.equals("record")) {
            throw new ApiParams.BadParameter("invalid parameter \"type\": \"" + type + "\" is not alert or record");
        }
        List<String> names = p.all("rule_name[]");
        List<String> groupNames = p.all("rule_group[]");
        List<String> files = p.all("file[]");
        boolean excludeAlerts = p.bool("exclude_alerts", false);
        return QueryApi.ok(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("groups");
            for (GroupEvaluator ev : groups()) {
                if ((!groupNames.isEmpty() && !groupNames.contains(ev.group().name()))
                        || (!files.isEmpty() && !files.contains(ev.group().file()))) {
                    continue;
                }
                List<GroupEvaluator.RuleState> selected = ev.status().stream()
                        .filter(s -> names.isEmpty() || names.contains(s.rule().name()))
                        .filter(s -> type == null || type.isEmpty()
                                || (type.equals("alert") == (s.rule() instanceof Rule.Alerting)))
                        .toList();
                if (selected.isEmpty() && (!names.isEmpty() || (type != null && !type.isEmpty()))) {
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("name", ev.group().name());
                g.writeStringField("file", ev.group().file());
                g.writeArrayFieldStart("rules");
                for (GroupEvaluator.RuleState s : selected) {
                    rule(g, s, excludeAlerts);
                }
                g.writeEndArray();
                g.writeNumberField("interval", ev.group().intervalMs() / 1000.0);
                g.writeNumberField("limit", ev.group().limit());
                g.writeNumberField("evaluationTime", ev.lastDurationSeconds());
                g.writeStringField("lastEvaluation", time(ev.lastEvaluation()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void rule(JsonGenerator g, GroupEvaluator.RuleState s, boolean excludeAlerts) throws IOException {
        g.writeStartObject();
        Rule r = s.rule();
        if (r instanceof Rule.Alerting a) {
            List<Alert.View> alerts = s.alerts();
            String state = "inactive";
            for (Alert.View v : alerts) {
                if (v.state() == Alert.State.FIRING) {
                    state = "firing";
                    break;
                }
                if (v.state() == Alert.State.PENDING) {
                    state = "pending";
                }
            }
            g.writeStringField("state", state);
            g.writeStringField("name", a.name());
            g.writeStringField("query", a.exprText().strip());
            g.writeNumberField("duration", a.forMs() / 1000.0);
            g.writeNumberField("keepFiringFor", a.keepFiringForMs() / 1000.0);
            g.writeFieldName("labels");
            ResultJson.labels(g, a.labels());
            g.writeObjectFieldStart("annotations");
            for (Map.Entry<String, String> e : new TreeMap<>(a.annotations()).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            if (!excludeAlerts) {
                g.writeArrayFieldStart("alerts");
                for (Alert.View v : alerts) {
                    if (v.state() != Alert.State.INACTIVE) {
                        alert(g, v);
                    }
                }
                g.writeEndArray();
            }
            g.writeStringField("type", "alerting");
        } else {
            g.writeStringField("name", r.name());
            g.writeStringField("query", r.exprText().strip());
            g.writeFieldName("labels");
            ResultJson.labels(g, r.labels());
            g.writeStringField("type", "recording");
        }
        g.writeStringField("health", s.health());
        g.writeStringField("lastError", s.lastError());
        g.writeNumberField("evaluationTime", s.durationSeconds());
        g.writeStringField("lastEvaluation", time(s.lastEvaluation()));
        g.writeEndObject();
    }

    private static void alert(JsonGenerator g, Alert.View v) throws IOException {
        g.writeStartObject();
        g.writeFieldName("labels");
        ResultJson.labels(g, v.labels());
        g.writeObjectFieldStart("annotations");
        for (Map.Entry<String, String> e : new TreeMap<>(v.annotations()).entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeStringField("state", v.state().text());
        g.writeStringField("activeAt", time(v.activeAt()));
        g.writeStringField("value", goExponent(v.value()));
        g.writeEndObject();
    }

    private HttpResponse alerts(ServiceRequestContext ctx, ApiParams p) {
        return QueryApi.ok(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("alerts");
            for (GroupEvaluator ev : groups()) {
                for (GroupEvaluator.RuleState s : ev.status()) {
                    for (Alert.View v : s.alerts()) {
                        if (v.state() != Alert.State.INACTIVE) {
                            alert(g, v);
                        }
                    }
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String time(long ms) {
        return QueryApi.rfc3339(ms);
    }

    /** Go's {@code strconv.FormatFloat(v, 'e', -1, 64)}, as Prometheus writes alert values: {@code 1e+00}, {@code 2.5e-01}. */
    static String goExponent(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0 ? "-" : "") + "0e+00";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exp = digits.length() - 1 - d.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = Integer.toString(Math.abs(exp));
        return (v < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
}
