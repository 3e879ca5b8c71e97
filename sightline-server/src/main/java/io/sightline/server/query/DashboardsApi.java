package io.sightline.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.server.auth.Scope;
import io.sightline.server.dashboards.Dashboard;
import io.sightline.server.dashboards.DashboardException;
import io.sightline.server.dashboards.DashboardJson;
import io.sightline.server.dashboards.DashboardStore;
import io.sightline.server.dashboards.DashboardValidator;
import io.sightline.server.http.ApiErrors;
import io.sightline.server.http.BodyLimits;
import io.sightline.server.http.Endpoint;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboards API the web UI keeps its dashboards with, and that exports and imports them:
 * {@code GET /api/v1/dashboards[?tag=]} (summaries), {@code POST /api/v1/dashboards} (create or import),
 * {@code GET}, {@code PUT} (replace, with optimistic concurrency on {@code version}) and {@code DELETE
 * /api/v1/dashboards/{id}}, {@code POST .../{id}/duplicate}, and {@code POST}/{@code DELETE
 * .../{id}/share} (the share token of the embed endpoint, {@link EmbedApi}). Reading needs the read
 * scope, everything else admin. Answers are Prometheus-shaped: {@code {"status":"success","data":...}}
 * or an error with errorType {@code bad_data} (400), {@code not_found} (404), {@code conflict} (409),
 * {@code too_large} (413, above 1 MiB) or {@code unavailable} (503, the files cannot be read or written).
 */
public final class DashboardsApi {
    private static final Logger log = LoggerFactory.getLogger(DashboardsApi.class);
    private static final String ONE = "/api/v1/dashboards/{id}";

    private final DashboardStore store;

    public DashboardsApi(DashboardStore store) {
        this.store = store;
    }

    public List<Endpoint> endpoints() {
        Set<HttpMethod> get = Set.of(HttpMethod.GET);
        return List.of(
                Endpoint.of("/api/v1/dashboards", get, Scope.READ, service(this::list)),
                Endpoint.of("/api/v1/dashboards", Set.of(HttpMethod.POST), Scope.ADMIN, service(this::create)),
                new Endpoint(ONE, get, Scope.READ, "/api/v1/dashboards/:id", service(this::getOne)),
                new Endpoint(ONE, Set.of(HttpMethod.PUT, HttpMethod.DELETE), Scope.ADMIN, "/api/v1/dashboards/:id",
                        service(this::putOrDelete)),
                new Endpoint(ONE + "/duplicate", Set.of(HttpMethod.POST), Scope.ADMIN, "/api/v1/dashboards/:id/duplicate",
                        service(this::duplicate)),
                new Endpoint(ONE + "/share", Set.of(HttpMethod.POST, HttpMethod.DELETE), Scope.ADMIN,
                        "/api/v1/dashboards/:id/share", service(this::share)));
    }

    /** One endpoint's work, given the request body (empty when none). */
    private interface Action {
        HttpResponse run(ServiceRequestContext ctx, byte[] body) throws DashboardException, IOException;
    }

    /**
     * Reads the body (at most {@link DashboardValidator#MAX_BYTES}, or the server's smaller limit; a larger
     * one gets the server's 413) and runs the action off the event loop, since writes fsync.
     */
    private HttpService service(Action action) {
        return (ctx, req) -> {
            BodyLimits.lower(ctx, DashboardValidator.MAX_BYTES, "dashboards are at most 1 MiB");
            return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
                try {
                    return action.run(ctx, agg.content().array());
                } catch (DashboardException e) {
                    return error(e);
                } catch (IOException e) {
                    log.atWarn().addKeyValue("path", ctx.path()).setCause(e).log("cannot read or write the dashboards");
                    return ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                            "cannot read or write the dashboards: " + e);
                }
            }, ctx.blockingTaskExecutor()));
        };
    }

    static HttpResponse error(DashboardException e) {
        if (e instanceof DashboardException.NotFound) {
            return ApiErrors.response(HttpStatus.NOT_FOUND, "not_found", e.getMessage());
        }
        if (e instanceof DashboardException.Conflict) {
            return ApiErrors.response(HttpStatus.CONFLICT, "conflict", e.getMessage());
        }
        // Invalid and LimitExceeded: the request cannot succeed as it is.
        return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", e.getMessage());
    }

    static HttpResponse success(JsonNode data) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("status", "success");
        body.set("data", data == null ? JsonNodeFactory.instance.nullNode() : data);
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, DashboardJson.bytes(body));
    }

    private HttpResponse list(ServiceRequestContext ctx, byte[] body) throws IOException {
        List<String> tags = ctx.queryParams().getAll("tag").stream().filter(t -> !t.isEmpty()).toList();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (DashboardStore.Summary s : store.list(tags)) {
            ObjectNode n = out.addObject();
            n.put("id", s.id());
            n.put("title", s.title());
            ArrayNode t = n.putArray("tags");
            s.tags().forEach(t::add);
            n.put("updated", s.updated());
            n.put("version", s.version());
            n.put("panels", s.panels());
        }
        return success(out);
    }

    private HttpResponse create(ServiceRequestContext ctx, byte[] body) throws DashboardException, IOException {
        Dashboard draft = DashboardValidator.fromBody(DashboardJson.parse(body));
        return success(store.create(draft).toJson());
    }

    private HttpResponse getOne(ServiceRequestContext ctx, byte[] body) throws DashboardException, IOException {
        return success(store.get(ctx.pathParam("id")).toJson());
    }

    private HttpResponse putOrDelete(ServiceRequestContext ctx, byte[] body) throws DashboardException, IOException {
        String id = ctx.pathParam("id");
        if (ctx.method() == HttpMethod.DELETE) {
            store.delete(id);
            return success(null);
        }
        Dashboard draft = DashboardValidator.fromBody(DashboardJson.parse(body));
        return success(store.put(id, draft).toJson());
    }

    /** The body is optional: {@code {"title": "..."}} names the copy. */
    private HttpResponse duplicate(ServiceRequestContext ctx, byte[] body) throws DashboardException, IOException {
        String title = null;
        if (!isBlank(body)) {
            JsonNode n = DashboardJson.parse(body);
            if (!n.isObject()) {
                throw new DashboardException.Invalid("duplicate: the body must be an object {\"title\": \"...\"}");
            }
            for (Map.Entry<String, JsonNode> f : n.properties()) {
                if (!f.getKey().equals("title")) {
                    throw new DashboardException.Invalid("duplicate: unknown field \"" + f.getKey()
                            + "\"; only title may be given");
                }
            }
            if (n.has("title") && !n.get("title").isNull()) {
                title = DashboardValidator.title(n.get("title"), "title");
            }
        }
        return success(store.duplicate(ctx.pathParam("id"), title).toJson());
    }

    private HttpResponse share(ServiceRequestContext ctx, byte[] body) throws DashboardException, IOException {
        String id = ctx.pathParam("id");
        if (ctx.method() == HttpMethod.DELETE) {
            store.unshare(id);
            return success(null);
        }
        String token = store.share(id);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("id", id);
        out.put("shareToken", token);
        return success(out);
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
