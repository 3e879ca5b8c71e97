package io.sightline.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import io.sightline.alerting.silence.Silence;
import io.sightline.alerting.silence.Silences;
import io.sightline.common.LabelMatcher;
import io.sightline.server.auth.Scope;
import io.sightline.server.http.Endpoint;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Alertmanager's API v2 silence endpoints, so {@code amtool} and Grafana's Alertmanager data source
 * work: {@code GET /api/v2/silences} (with {@code filter=} matchers), {@code POST /api/v2/silences}
 * (create, or update with {@code id}; answers {@code {"silenceID": ...}}), {@code GET} and
 * {@code DELETE /api/v2/silence/{id}} (delete expires it). Errors are 400 or 404 with a JSON string
 * body, as Alertmanager answers.
 */
public final class SilencesApi {

    private final Supplier<Silences> silences;
    private final LongSupplier clock;

    public SilencesApi(Supplier<Silences> silences, LongSupplier clock) {
        this.silences = silences;
        this.clock = clock;
    }

    public List<Endpoint> endpoints() {
        return List.of(
                Endpoint.of("/api/v2/silences", Set.of(HttpMethod.GET), Scope.READ, list()),
                Endpoint.of("/api/v2/silences", Set.of(HttpMethod.POST), Scope.WRITE, post()),
                new Endpoint("/api/v2/silence/{id}", Set.of(HttpMethod.GET, HttpMethod.DELETE), Scope.WRITE,
                        "/api/v2/silence/:id", one()));
    }


    private static HttpResponse error(HttpStatus status, String message) {
        return AlertmanagerJson.json(status, message);
    }

    private ObjectNode toJson(Silence s) {
        ObjectNode n = AlertmanagerJson.JSON.createObjectNode();
        n.put("id", s.id());
        n.putObject("status").put("state", s.state(clock.getAsLong()));
        n.put("updatedAt", AlertmanagerJson.RFC3339.format(Instant.ofEpochMilli(s.updatedAt())));
        ArrayNode ms = n.putArray("matchers");
        for (Silence.Matcher m : s.matchers()) {
            ms.addObject().put("name", m.name()).put("value", m.value()).put("isRegex", m.isRegex()).put("isEqual", m.isEqual());
        }
        n.put("startsAt", AlertmanagerJson.RFC3339.format(Instant.ofEpochMilli(s.startsAt())));
        n.put("endsAt", AlertmanagerJson.RFC3339.format(Instant.ofEpochMilli(s.endsAt())));
        n.put("createdBy", s.createdBy());
        n.put("comment", s.comment());
        return n;
    }

    private HttpService list() {
        return (ctx, req) -> {
            List<LabelMatcher> filter = new ArrayList<>();
            for (String f : ctx.queryParams().getAll("filter")) {
                try {
                    filter.addAll(io.sightline.alerting.notify.Matchers.parse(f));
                } catch (IllegalArgumentException e) {
                    return error(HttpStatus.BAD_REQUEST, e.getMessage());
                }
            }
            ArrayNode out = AlertmanagerJson.JSON.createArrayNode();
            for (Silence s : silences.get().list()) {
                if (matchesFilter(s, filter)) {
                    out.add(toJson(s));
                }
            }
            return AlertmanagerJson.json(HttpStatus.OK, out);
        };
    }

    /** Alertmanager's filter: each filter matcher must match the value of a silence matcher of the same name. */
    private static boolean matchesFilter(Silence s, List<LabelMatcher> filter) {
        for (LabelMatcher f : filter) {
            boolean found = false;
            for (Silence.Matcher m : s.matchers()) {
                if (m.name().equals(f.name()) && f.matches(m.value())) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private HttpService post() {
        return AlertmanagerJson.post(body -> {
            if (!body.isObject()) {
                return error(HttpStatus.BAD_REQUEST, "body must be a silence object");
            }
            List<Silence.Matcher> matchers = new ArrayList<>();
            for (JsonNode m : body.path("matchers")) {
                matchers.add(new Silence.Matcher(m.path("name").asText(null), m.path("value").asText(""),
                        m.path("isRegex").asBoolean(false), !m.has("isEqual") || m.path("isEqual").asBoolean(true)));
            }
            long startsAt;
            long endsAt;
            try {
                startsAt = AlertmanagerJson.time(body.path("startsAt"), "startsAt", null);
                endsAt = AlertmanagerJson.time(body.path("endsAt"), "endsAt", null);
            } catch (IllegalArgumentException e) {
                return error(HttpStatus.BAD_REQUEST, e.getMessage());
            }
            try {
                String id = silences.get().put(body.path("id").asText(""), matchers, startsAt, endsAt,
                        body.path("createdBy").asText(""), body.path("comment").asText(""));
                return AlertmanagerJson.json(HttpStatus.OK, AlertmanagerJson.JSON.createObjectNode().put("silenceID", id));
            } catch (Silences.InvalidSilence e) {
                return error(e.getMessage().endsWith("not found") ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST,
                        "silence invalid: " + e.getMessage());
            } catch (IOException e) {
                return error(HttpStatus.SERVICE_UNAVAILABLE, "cannot save the silence: " + e.getMessage());
            }
        });
    }

    private HttpService one() {
        return (ctx, req) -> {
            String id = ctx.pathParam("id");
            Silence s = silences.get().get(id);
            if (s == null) {
                return error(HttpStatus.NOT_FOUND, "silence " + id + " not found");
            }
            if (req.method() == HttpMethod.GET) {
                return AlertmanagerJson.json(HttpStatus.OK, toJson(s));
            }
            try {
                silences.get().expire(id);
                return HttpResponse.of(HttpStatus.OK);
            } catch (Silences.InvalidSilence e) {
                return error(HttpStatus.BAD_REQUEST, e.getMessage());
            } catch (IOException e) {
                return error(HttpStatus.SERVICE_UNAVAILABLE, "cannot save the silences: " + e.getMessage());
            }
        };
    }
}
