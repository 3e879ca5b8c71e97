package io.sightline.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.promql.engine.QueryResult;
import io.sightline.server.dashboards.Dashboard;
import io.sightline.server.dashboards.DashboardException;
import io.sightline.server.dashboards.DashboardJson;
import io.sightline.server.dashboards.DashboardStore;
import io.sightline.server.dashboards.VariableSubstitution;
import io.sightline.server.http.ApiErrors;
import io.sightline.server.http.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The data of one dashboard panel for the UI's read-only embed page (an {@code <iframe>}):
 * {@code GET /api/v1/embed/{id}/{panelId}/query_range?start=&end=&step=&token=}.
 *
 * <p>The route needs no API token; with auth on it checks {@code token} against the dashboard's share
 * token itself (constant time) and answers 401 otherwise, without saying whether the dashboard exists.
 * A share token therefore reaches exactly the panels of its dashboard, as saved: the queries and
 * variable selections come from the stored dashboard, and only {@code start}, {@code end} and
 * {@code step} are read from the request (no {@code timeout}, {@code lookback_delta}, variable
 * overrides).
 *
 * <p>Each of the panel's queries, its variables substituted ({@link VariableSubstitution}), runs as
 * {@code /api/v1/query_range} runs it: same pool, engine, limits and result JSON. The queries run one
 * after another within one {@code query.timeout} together; one that fails reports its error in its own
 * result and the others still answer. Bad {@code start}/{@code end}/{@code step} is a 400 as for
 * {@code query_range}.
 */
public final class EmbedApi {
    private final QueryApi query;
    private final DashboardStore dashboards;
    private final BooleanSupplier authEnabled;

    /**
     * @param query whose pool, engine and limits the panel queries use
     * @param authEnabled read at each request, so a reload that turns auth on or off applies at once
     */
    public EmbedApi(QueryApi query, DashboardStore dashboards, BooleanSupplier authEnabled) {
        this.query = query;
        this.dashboards = dashboards;
        this.authEnabled = authEnabled;
    }

    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("/api/v1/embed/{id}/{panelId}/query_range", Set.of(HttpMethod.GET), null,
                "/api/v1/embed/:id/:panelId/query_range", service()));
    }

    /** The dashboard and panel a request may read, or the response that refuses it. */
    private record Target(Dashboard dashboard, ObjectNode panel, HttpResponse refusal) {}

    private HttpService service() {
        return (ctx, req) -> HttpResponse.of(req.aggregate().thenComposeAsync(agg -> {
            Target t = target(ctx);
            if (t.refusal() != null) {
                return CompletableFuture.completedFuture(t.refusal());
            }
            return query.submit(ctx, (c, p) -> evaluate(t, p, QueryApi.queueNanos(c)), rangeParams(ctx.queryParams()));
        }, ctx.blockingTaskExecutor()));
    }

    /** Only the range: a share token must not choose timeouts or lookback. */
    private static ApiParams rangeParams(QueryParams in) {
        QueryParamsBuilder b = QueryParams.builder();
        for (String name : List.of("start", "end", "step")) {
            String v = in.get(name);
            if (v != null) {
                b.add(name, v);
            }
        }
        return new ApiParams(b.build());
    }

    private Target target(ServiceRequestContext ctx) {
        String id = ctx.pathParam("id");
        String panelId = ctx.pathParam("panelId");
        Dashboard d;
        try {
            d = dashboards.get(id);
        } catch (DashboardException.NotFound e) {
            d = null;
        } catch (IOException e) {
            return refuse(ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                    "cannot read the dashboards: " + e));
        }
        if (authEnabled.getAsBoolean()) {
            String token = ctx.queryParams().get("token");
            if (d == null || d.shareToken() == null || token == null || !sameToken(token, d.shareToken())) {
                return refuse(ApiErrors.response(HttpStatus.UNAUTHORIZED, "unauthorized",
                        "a valid share token is required: ?token=<the dashboard's share token>"));
            }
        }
        if (d == null) {
            return refuse(ApiErrors.response(HttpStatus.NOT_FOUND, "not_found", "dashboard \"" + id + "\" not found"));
        }
        ObjectNode panel = d.panel(panelId);
        if (panel == null) {
            return refuse(ApiErrors.response(HttpStatus.NOT_FOUND, "not_found",
                    "panel \"" + panelId + "\" not found in dashboard \"" + id + "\""));
        }
        return new Target(d, panel, null);
    }

    private static Target refuse(HttpResponse r) {
        return new Target(null, null, r);
    }

    /** Compares digests, so that neither the contents nor the length of the token leak through timing. */
    static boolean sameToken(String presented, String expected) {
        try {
            MessageDigest a = MessageDigest.getInstance("SHA-256");
            MessageDigest b = MessageDigest.getInstance("SHA-256");
            return MessageDigest.isEqual(a.digest(presented.getBytes(StandardCharsets.UTF_8)),
                    b.digest(expected.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("BUG: the JDK has no SHA-256", e);
        }
    }

    /** One query's outcome: a result, or an error with its type. */
    private record Outcome(String refId, String expr, String legend, QueryResult result, String errorType, String error) {}

    /** @param queuedNanos how long the request waited for a query slot, which counts against query.timeout */
    private HttpResponse evaluate(Target t, ApiParams p, long queuedNanos) {
        QueryApi.Range range = QueryApi.range(p);
        long deadline = System.nanoTime() + query.timeout().toNanos() - queuedNanos;
        List<VariableSubstitution.Variable> variables = t.dashboard().variables();
        List<Outcome> outcomes = new ArrayList<>();
        JsonNode queries = t.panel().path("queries");
        for (int i = 0; i < queries.size(); i++) {
            JsonNode q = queries.get(i);
            String refId = q.path("refId").isTextual() ? q.path("refId").asText() : String.valueOf((char) ('A' + i));
            String legend = q.path("legend").isTextual() ? q.path("legend").asText() : null;
            String expr = q.path("expr").asText();
            try {
                expr = VariableSubstitution.substitute(expr, variables, range.step());
            } catch (VariableSubstitution.TooLong e) {
                outcomes.add(new Outcome(refId, expr, legend, null, "bad_data", e.getMessage()));
                continue;
            }
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMs <= 0) {
                outcomes.add(new Outcome(refId, expr, legend, null, "timeout",
                        "query timed out: the wait for a query slot and the panel's earlier queries used up "
                                + "query.timeout"));
                continue;
            }
            try {
                QueryResult r = query.evalRange(query.engine(p, remainingMs, 0), expr, range);
                outcomes.add(new Outcome(refId, expr, legend, r, null, null));
            } catch (RuntimeException e) {
                QueryApi.Failure f = QueryApi.failure(e);
                if (f == null || e instanceof QueryApi.StorageUnavailable) {
                    throw e; // a bug, or no storage for any query: the whole request fails
                }
                outcomes.add(new Outcome(refId, expr, legend, null, f.errorType(), e.getMessage()));
            }
        }
        String panel = new String(DashboardJson.bytes(t.panel()), StandardCharsets.UTF_8);
        String title = t.dashboard().title();
        long sizeHint = panel.length() + 1024L;
        for (Outcome o : outcomes) {
            sizeHint += o.result() == null ? 256 : ResultJson.sizeHint(o.result());
        }
        return QueryApi.ok(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("results");
            for (Outcome o : outcomes) {
                g.writeStartObject();
                g.writeStringField("refId", o.refId());
                g.writeStringField("expr", o.expr());
                g.writeStringField("legend", o.legend());
                if (o.result() != null) {
                    ResultJson.queryFields(g, o.result(), false);
                    ResultJson.writeStrings(g, "warnings", o.result().annotations().warnings());
                    ResultJson.writeStrings(g, "infos", o.result().annotations().infos());
                } else {
                    g.writeStringField("errorType", o.errorType());
                    g.writeStringField("error", o.error());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("panel");
            g.writeRawValue(panel);
            g.writeStringField("title", title);
            g.writeEndObject();
        }, (int) Math.min(sizeHint, 1 << 24));
    }
}
