package io.sightline.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import io.sightline.alerting.notify.Matchers;
import io.sightline.alerting.notify.Notifier;
import io.sightline.alerting.silence.Silences;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.server.BuildInfo;
import io.sightline.server.auth.Scope;
import io.sightline.server.http.Endpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.PatternSyntaxException;

/**
 * Alertmanager's API v2 alert endpoints, so that Sightline's notifier can stand in for an Alertmanager:
 * {@code POST /api/v2/alerts} takes alerts from any Prometheus (its {@code alerting.alertmanagers}) or
 * other client, and {@code GET /api/v2/alerts} lists the alerts the notifier holds with their
 * receivers and suppression state ({@code active}, {@code silenced}, {@code inhibited} and
 * {@code filter}/{@code receiver} parameters), as {@code amtool alert query} and Grafana read them;
 * {@code GET /api/v2/alerts/groups} shows them by aggregation group; {@code GET /api/v2/receivers}
 * lists the receivers and {@code GET /api/v2/status} the version, the configuration (its YAML) and the
 * start time, with the cluster disabled (one process). Errors are 400 with a JSON string body, as
 * Alertmanager answers.
 */
public final class AlertsApi {
    /** Alerts one POST may carry. */
    static final int MAX_ALERTS = 10_000;

    private final Supplier<Notifier> notifier;
    private final Supplier<Silences> silences;
    private final Supplier<List<String>> receivers;
    private final LongSupplier clock;

    public AlertsApi(Supplier<Notifier> notifier, Supplier<Silences> silences, Supplier<List<String>> receivers,
            LongSupplier clock) {
        this.notifier = notifier;
        this.silences = silences;
        this.receivers = receivers;
        this.clock = clock;
    }

    private final java.time.Instant started = java.time.Instant.now();

    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.of("/api/v2/alerts", Set.of(HttpMethod.GET), Scope.READ, list()),
                Endpoint.of("/api/v2/alerts/groups", Set.of(HttpMethod.GET), Scope.READ, groups()),
                Endpoint.of("/api/v2/status", Set.of(HttpMethod.GET), Scope.READ, (ctx, req) -> {
                    ObjectNode n = AlertmanagerJson.JSON.createObjectNode();
                    ObjectNode cluster = n.putObject("cluster");
                    cluster.put("status", "disabled"); // one process: no gossip cluster
                    cluster.putArray("peers");
                    // As /api/v1/status/buildinfo writes them (buildUser is not recorded).
                    n.putObject("versionInfo").put("version", BuildInfo.version())
                            .put("branch", BuildInfo.branch()).put("revision", BuildInfo.revision())
                            .put("buildUser", "").put("buildDate", BuildInfo.buildDate())
                            .put("goVersion", "java" + Runtime.version().feature());
                    n.putObject("config").put("original", notifier.get().originalConfig());
                    n.put("uptime", AlertmanagerJson.RFC3339.format(started));
                    return AlertmanagerJson.json(HttpStatus.OK, n);
                }),
                Endpoint.of("/api/v2/alerts", Set.of(HttpMethod.POST), Scope.WRITE, post()),
                Endpoint.of("/api/v2/receivers", Set.of(HttpMethod.GET), Scope.READ, (ctx, req) -> {
                    ArrayNode out = AlertmanagerJson.JSON.createArrayNode();
                    receivers.get().forEach(r -> out.addObject().put("name", r));
                    return AlertmanagerJson.json(HttpStatus.OK, out);
                }));
    }


    private static boolean flag(com.linecorp.armeria.server.ServiceRequestContext ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return true;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(name + " must be true or false, got \"" + v + "\"");
        }
        return v.equals("true");
    }

    private HttpService list() {
        return (ctx, req) -> {
            boolean active;
            boolean silenced;
            boolean inhibited;
            List<LabelMatcher> filter = new ArrayList<>();
            LabelMatcher receiver = null;
            try {
                active = flag(ctx, "active");
                silenced = flag(ctx, "silenced");
                inhibited = flag(ctx, "inhibited");
                flag(ctx, "unprocessed"); // every alert is processed at once here
                for (String f : ctx.queryParams().getAll("filter")) {
                    filter.addAll(Matchers.parse(f));
                }
                String r = ctx.queryParam("receiver");
                if (r != null && !r.isEmpty()) {
                    // Anchored, RE2-style names accepted, and a match that backtracks without end is abandoned.
                    receiver = LabelMatcher.regex("receiver", r);
                }
            } catch (PatternSyntaxException e) {
                return AlertmanagerJson.json(HttpStatus.BAD_REQUEST, "failed to parse receiver param: " + e.getDescription());
            } catch (IllegalArgumentException e) {
                return AlertmanagerJson.json(HttpStatus.BAD_REQUEST, e.getMessage());
            }
            ArrayNode out = AlertmanagerJson.JSON.createArrayNode();
            Silences sil = silences.get();
            for (Notifier.AlertStatus s : notifier.get().current()) {
                Labels labels = s.alert().labels();
                if (!filter.stream().allMatch(m -> m.matches(labels))) {
                    continue;
                }
                LabelMatcher rp = receiver;
                try {
                    if (rp != null && s.receivers().stream().noneMatch(rp::matches)) {
                        continue;
                    }
                } catch (LabelMatcher.MatchTooExpensive e) {
                    return AlertmanagerJson.json(HttpStatus.BAD_REQUEST, e.getMessage());
                }
                List<String> silencedBy = sil == null ? List.of() : sil.mutedBy(labels);
                boolean isSilenced = !silencedBy.isEmpty() || s.silenced();
                boolean isInhibited = !s.inhibitedBy().isEmpty();
                if ((!isSilenced && !isInhibited && !active) || (isSilenced && !silenced) || (isInhibited && !inhibited)) {
                    continue;
                }
                out.add(toJson(s, silencedBy, isSilenced || isInhibited));
            }
            return AlertmanagerJson.json(HttpStatus.OK, out);
        };
    }

    /** Alertmanager's alert groups: each group's labels, receiver and its alerts in the list's form. */
    private HttpService groups() {
        return (ctx, req) -> {
            Silences sil = silences.get();
            java.util.Map<Labels, Notifier.AlertStatus> byLabels = new java.util.HashMap<>();
            for (Notifier.AlertStatus s : notifier.get().current()) {
                byLabels.put(s.alert().labels(), s);
            }
            ArrayNode out = AlertmanagerJson.JSON.createArrayNode();
            for (Notifier.GroupView g : notifier.get().groups()) {
                ObjectNode o = out.addObject();
                ObjectNode labels = o.putObject("labels");
                g.labels().forEach(labels::put);
                o.putObject("receiver").put("name", g.receiver());
                ArrayNode alerts = o.putArray("alerts");
                for (Labels l : g.alerts()) {
                    Notifier.AlertStatus s = byLabels.get(l);
                    if (s != null) {
                        List<String> silencedBy = sil == null ? List.of() : sil.mutedBy(l);
                        alerts.add(toJson(s, silencedBy, !silencedBy.isEmpty() || s.silenced() || !s.inhibitedBy().isEmpty()));
                    }
                }
            }
            return AlertmanagerJson.json(HttpStatus.OK, out);
        };
    }

    private ObjectNode toJson(Notifier.AlertStatus s, List<String> silencedBy, boolean suppressed) {
        ObjectNode n = AlertmanagerJson.JSON.createObjectNode();
        ObjectNode annotations = n.putObject("annotations");
        new TreeMap<>(s.alert().annotations()).forEach(annotations::put);
        n.put("endsAt", AlertmanagerJson.RFC3339.format(Instant.ofEpochMilli(s.alert().endsAt())));
        n.put("fingerprint", String.format("%016x", io.sightline.alerting.notify.Notifier.fingerprintOf(s.alert().labels())));
        ArrayNode rs = n.putArray("receivers");
        s.receivers().forEach(r -> rs.addObject().put("name", r));
        n.put("startsAt", AlertmanagerJson.RFC3339.format(Instant.ofEpochMilli(s.alert().startsAt())));
        ObjectNode status = n.putObject("status");
        ArrayNode ib = status.putArray("inhibitedBy");
        s.inhibitedBy().forEach(ib::add);
        ArrayNode sb = status.putArray("silencedBy");
        silencedBy.forEach(sb::add);
        status.put("state", suppressed ? "suppressed" : "active");
        n.put("updatedAt", AlertmanagerJson.RFC3339.format(Instant.ofEpochMilli(s.updatedAt())));
        n.put("generatorURL", s.alert().generatorUrl());
        ObjectNode labels = n.putObject("labels");
        s.alert().labels().forEach(labels::put);
        return n;
    }

    private HttpService post() {
        return AlertmanagerJson.post(body -> {
            if (!body.isArray()) {
                return AlertmanagerJson.json(HttpStatus.BAD_REQUEST, "body must be a list of alerts");
            }
            if (body.size() > MAX_ALERTS) {
                return AlertmanagerJson.json(HttpStatus.BAD_REQUEST, "too many alerts in one request: " + body.size() + " (at most "
                        + MAX_ALERTS + ")");
            }
            Notifier n = notifier.get();
            long now = clock.getAsLong();
            long resolve = n.resolveTimeout().toMillis();
            List<Notifier.AlertEvent> events = new ArrayList<>();
            for (int i = 0; i < body.size(); i++) {
                try {
                    events.add(alert(body.get(i), now, resolve));
                } catch (IllegalArgumentException e) {
                    return AlertmanagerJson.json(HttpStatus.BAD_REQUEST, "alert " + i + ": " + e.getMessage());
                }
            }
            n.receive(events);
            return HttpResponse.of(HttpStatus.OK);
        });
    }

    /** One postable alert, with Alertmanager's defaults and checks. */
    private static Notifier.AlertEvent alert(JsonNode a, long now, long resolveMs) {
        if (!a.isObject()) {
            throw new IllegalArgumentException("must be an object");
        }
        JsonNode ls = a.path("labels");
        if (!ls.isObject() || ls.isEmpty()) {
            throw new IllegalArgumentException("at least one label pair required");
        }
        Labels.Builder b = Labels.builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = ls.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!Names.isValidLabelName(e.getKey())) {
                throw new IllegalArgumentException("invalid label name \"" + e.getKey() + "\"");
            }
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("label " + e.getKey() + " must be a string");
            }
            if (!e.getValue().asText().isEmpty()) {
                b.set(e.getKey(), e.getValue().asText());
            }
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode an = a.path("annotations");
        if (!an.isMissingNode() && !an.isNull()) {
            if (!an.isObject()) {
                throw new IllegalArgumentException("annotations must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = an.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!Names.isValidLabelName(e.getKey())) {
                    throw new IllegalArgumentException("invalid annotation name \"" + e.getKey() + "\"");
                }
                annotations.put(e.getKey(), e.getValue().asText());
            }
        }
        long startsAt = AlertmanagerJson.time(a.path("startsAt"), "startsAt", now);
        long endsAt = AlertmanagerJson.time(a.path("endsAt"), "endsAt", 0L);
        if (endsAt == 0) {
            endsAt = Math.max(now, startsAt) + resolveMs;
        }
        if (endsAt < startsAt) {
            throw new IllegalArgumentException("start time must be before end time");
        }
        return new Notifier.AlertEvent(b.build(), annotations, startsAt, endsAt, a.path("generatorURL").asText(""));
    }
}
