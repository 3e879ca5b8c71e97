package io.sightline.server.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.common.PromDuration;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.parser.ParseException;
import io.sightline.promql.parser.Parser;
import io.sightline.scrape.ScrapeManager;
import io.sightline.scrape.Target;
import io.sightline.server.auth.Scope;
import io.sightline.server.http.Endpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the scrape loops know, in the Prometheus HTTP API's shapes: {@code /api/v1/targets}
 * ({@code state}, {@code scrapePool}), {@code /api/v1/targets/metadata} ({@code match_target},
 * {@code metric}, {@code limit}), {@code /api/v1/metadata} ({@code metric}, {@code limit},
 * {@code limit_per_metric}) and {@code /api/v1/scrape_pools}. The answers are built from in-memory
 * state on the request's thread: cheap, no storage access.
 */
public final class TargetsApi {

    private final Supplier<ScrapeManager> scrapes;

    /** @param scrapes the running scrape manager, or null when the server runs none */
    public TargetsApi(Supplier<ScrapeManager> scrapes) {
        this.scrapes = scrapes;
    }

    public List<Endpoint> endpoints() {
        Set<HttpMethod> get = Set.of(HttpMethod.GET);
        return List.of(
                Endpoint.of("/api/v1/targets", get, Scope.READ, QueryApi.inline(this::targets)),
                Endpoint.of("/api/v1/targets/metadata", get, Scope.READ, QueryApi.inline(this::targetMetadata)),
                Endpoint.of("/api/v1/metadata", get, Scope.READ, QueryApi.inline(this::metadata)),
                Endpoint.of("/api/v1/scrape_pools", get, Scope.READ, QueryApi.inline(this::scrapePools)));
    }


    private List<ScrapeManager.PoolView> pools() {
        ScrapeManager m = scrapes.get();
        return m == null ? List.of() : m.pools();
    }

    private HttpResponse targets(com.linecorp.armeria.server.ServiceRequestContext ctx, ApiParams p) {
        String state = p.get("state") == null ? "any" : p.get("state").toLowerCase(java.util.Locale.ROOT);
        if (!Set.of("any", "active", "dropped").contains(state)) {
            throw new ApiParams.BadParameter("invalid parameter \"state\": \"" + state + "\" is not active, dropped or any");
        }
        String pool = p.get("scrapePool");
        List<ScrapeManager.PoolView> pools = pools().stream().filter(v -> pool == null || v.job().equals(pool)).toList();
        boolean active = !state.equals("dropped");
        boolean dropped = !state.equals("active");
        return QueryApi.ok(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("activeTargets");
            if (active) {
                for (ScrapeManager.PoolView v : pools) {
                    for (Target t : v.active()) {
                        activeTarget(g, t);
                    }
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("droppedTargets");
            if (dropped) {
                for (ScrapeManager.PoolView v : pools) {
                    for (Labels l : v.dropped()) {
                        g.writeStartObject();
                        g.writeFieldName("discoveredLabels");
                        ResultJson.labels(g, l);
                        g.writeEndObject();
                    }
                }
            }
            g.writeEndArray();
            g.writeObjectFieldStart("droppedTargetCounts");
            for (ScrapeManager.PoolView v : pools) {
                g.writeNumberField(v.job(), v.dropped().size());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static void activeTarget(JsonGenerator g, Target t) throws IOException {
        g.writeStartObject();
        g.writeFieldName("discoveredLabels");
        ResultJson.labels(g, t.discoveredLabels());
        g.writeFieldName("labels");
        ResultJson.labels(g, t.publicLabels());
        g.writeStringField("scrapePool", t.job());
        g.writeStringField("scrapeUrl", t.url().toString());
        g.writeStringField("globalUrl", t.url().toString());
        g.writeStringField("lastError", t.lastError());
        g.writeStringField("lastScrape", QueryApi.rfc3339(t.lastScrapeMs()));
        g.writeNumberField("lastScrapeDuration", t.lastDurationSeconds());
        g.writeStringField("health", t.health().text());
        g.writeStringField("scrapeInterval", PromDuration.format(t.interval()));
        g.writeStringField("scrapeTimeout", PromDuration.format(t.timeout()));
        g.writeEndObject();
    }

    private HttpResponse targetMetadata(com.linecorp.armeria.server.ServiceRequestContext ctx, ApiParams p) {
        List<LabelMatcher> matchers = List.of();
        String match = p.get("match_target");
        if (match != null && !match.isEmpty()) {
            Expr e;
            try {
                e = Parser.parse(match);
            } catch (ParseException ex) {
                throw new ApiParams.BadParameter("invalid parameter \"match_target\": " + ex.getMessage());
            }
            if (!(e instanceof Expr.VectorSelector vs) || (vs.name() != null && !vs.name().isEmpty())) {
                throw new ApiParams.BadParameter("invalid parameter \"match_target\": " + match
                        + " is not a label selector such as {job=\"node\"}");
            }
            matchers = vs.matchers();
        }
        String metric = p.get("metric");
        long limit = limit(p, "limit");
        List<LabelMatcher> ms = matchers;
        return QueryApi.ok(g -> {
            g.writeStartArray();
            long n = 0;
            outer:
            for (ScrapeManager.PoolView v : pools()) {
                for (Target t : v.active()) {
                    if (!ms.stream().allMatch(m -> m.matches(t.publicLabels()))) {
                        continue;
                    }
                    for (Map.Entry<String, Target.Metadata> e : new TreeMap<>(t.metadata()).entrySet()) {
                        if (metric != null && !metric.isEmpty() && !metric.equals(e.getKey())) {
                            continue;
                        }
                        if (limit >= 0 && n >= limit) {
                            break outer;
                        }
                        n++;
                        g.writeStartObject();
                        g.writeFieldName("target");
                        ResultJson.labels(g, t.publicLabels());
                        if (metric == null || metric.isEmpty()) {
                            g.writeStringField("metric", e.getKey());
                        }
                        g.writeStringField("type", e.getValue().type());
                        g.writeStringField("help", e.getValue().help());
                        g.writeStringField("unit", e.getValue().unit());
                        g.writeEndObject();
                    }
                }
            }
            g.writeEndArray();
        });
    }

    private HttpResponse metadata(com.linecorp.armeria.server.ServiceRequestContext ctx, ApiParams p) {
        String metric = p.get("metric");
        long limit = limit(p, "limit");
        long perMetric = limit(p, "limit_per_metric");
        Map<String, Set<Target.Metadata>> all = new TreeMap<>();
        for (ScrapeManager.PoolView v : pools()) {
            for (Target t : v.active()) {
                t.metadata().forEach((name, md) -> {
                    if (metric == null || metric.isEmpty() || metric.equals(name)) {
                        all.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(md);
                    }
                });
            }
        }
        return QueryApi.ok(g -> {
            g.writeStartObject();
            long n = 0;
            for (Map.Entry<String, Set<Target.Metadata>> e : all.entrySet()) {
                if (limit >= 0 && n >= limit) {
                    break;
                }
                n++;
                g.writeArrayFieldStart(e.getKey());
                long k = 0;
                for (Target.Metadata md : e.getValue()) {
                    if (perMetric >= 0 && k++ >= perMetric) {
                        break;
                    }
                    g.writeStartObject();
                    g.writeStringField("type", md.type());
                    g.writeStringField("help", md.help());
                    g.writeStringField("unit", md.unit());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    private HttpResponse scrapePools(com.linecorp.armeria.server.ServiceRequestContext ctx, ApiParams p) {
        List<String> names = new ArrayList<>();
        for (ScrapeManager.PoolView v : pools()) {
            names.add(v.job());
        }
        return QueryApi.ok(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("scrapePools");
            for (String n : names) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A non-negative limit, or -1 when absent (Prometheus treats 0 and negatives as no limit). */
    private static long limit(ApiParams p, String name) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            return n <= 0 ? -1 : n;
        } catch (NumberFormatException e) {
            throw new ApiParams.BadParameter("invalid parameter \"" + name + "\": \"" + v + "\" is not an integer");
        }
    }
}
