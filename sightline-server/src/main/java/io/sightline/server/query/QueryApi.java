package io.sightline.server.query;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.promql.ast.AstWalk;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.ValueType;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.promql.engine.QueryException;
import io.sightline.promql.engine.QueryResult;
import io.sightline.promql.parser.ParseException;
import io.sightline.promql.parser.Parser;
import io.sightline.promql.parser.Printer;
import io.sightline.server.auth.Scope;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.http.ApiErrors;
import io.sightline.server.http.Endpoint;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Prometheus HTTP API's query endpoints. Queries run on their own pool of
 * {@code query.max_concurrency} threads; the rest wait in a bounded queue, the wait counting
 * against their timeout as in Prometheus, and a full queue answers 503 with {@code Retry-After},
 * so a burst of heavy queries cannot take the process down or starve ingestion.
 */
public final class QueryApi {

    /** Prometheus's cap on points per series in a range query. */
    static final long MAX_POINTS = 11_000;

    private final Supplier<Storage> storage;
    private final Supplier<SightlineConfig> config;
    private final ThreadPoolExecutor executor;
    private final StatusApi status;

    public QueryApi(Supplier<Storage> storage, Supplier<SightlineConfig> config, StatusApi status) {
        this.storage = storage;
        this.config = config;
        this.status = status;
        int n = config.get().query().maxConcurrency();
        this.executor = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(64 * n), r -> {
            Thread t = new Thread(r, "sightline-query");
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
    }

    public List<Endpoint> endpoints() {
        Set<HttpMethod> getPost = Set.of(HttpMethod.GET, HttpMethod.POST);
        Set<HttpMethod> get = Set.of(HttpMethod.GET);
        Set<HttpMethod> postPut = Set.of(HttpMethod.POST, HttpMethod.PUT);
        FederationApi federation = new FederationApi(storage, config);
        return List.of(
                Endpoint.of("/federate", get, Scope.READ, handler(federation::federate)),
                Endpoint.of("/api/v1/read", Set.of(HttpMethod.POST), Scope.READ, (ctx, req) -> HttpResponse.of(
                        req.aggregate().thenCompose(agg -> submit(ctx,
                                (c, p) -> federation.remoteRead(c, req, agg.content().array()),
                                new ApiParams(ctx.queryParams()))))),
                Endpoint.of("/api/v1/query", getPost, Scope.READ, handler(this::instantQuery)),
                Endpoint.of("/api/v1/query_range", getPost, Scope.READ, handler(this::rangeQuery)),
                Endpoint.of("/api/v1/series", getPost, Scope.READ, handler(this::series)),
                Endpoint.of("/api/v1/labels", getPost, Scope.READ, handler(this::labelNames)),
                new Endpoint("/api/v1/label/{name}/values", get, Scope.READ, "/api/v1/label/:name/values",
                        handler(this::labelValues)),
                Endpoint.of("/api/v1/format_query", getPost, Scope.READ, handler(this::formatQuery)),
                Endpoint.of("/api/v1/parse_query", getPost, Scope.READ, handler(this::parseQuery)),
                Endpoint.of("/api/v1/query_exemplars", getPost, Scope.READ, handler(this::queryExemplars)),
                Endpoint.of("/api/v1/status/buildinfo", get, Scope.READ, handler((ctx, p) -> ok(status::buildInfo))),
                Endpoint.of("/api/v1/status/walreplay", get, Scope.READ, inline((ctx, p) -> ok(status::walReplay))),
                Endpoint.of("/api/v1/alertmanagers", get, Scope.READ, inline((ctx, p) -> ok(status::alertmanagers))),
                Endpoint.of("/api/v1/status/runtimeinfo", get, Scope.READ,
                        handler((ctx, p) -> ok(g -> status.runtimeInfo(g, storage.get())))),
                Endpoint.of("/api/v1/status/flags", get, Scope.READ, handler((ctx, p) -> ok(status::flags))),
                Endpoint.of("/api/v1/status/config", get, Scope.ADMIN, handler((ctx, p) -> ok(status::config))),
                Endpoint.of("/api/v1/status/tsdb", get, Scope.READ,
                        handler((ctx, p) -> ok(g -> status.tsdb(g, openStorage(), tsdbLimit(p))))),
                Endpoint.of("/api/v1/admin/tsdb/snapshot", postPut, Scope.ADMIN, handler(this::snapshot)),
                Endpoint.of("/api/v1/admin/tsdb/delete_series", postPut, Scope.ADMIN, handler(this::deleteSeries)),
                Endpoint.of("/api/v1/admin/tsdb/clean_tombstones", postPut, Scope.ADMIN, handler(this::cleanTombstones)));
    }

    private TsdbStorage durable() {
        if (openStorage() instanceof TsdbStorage t) {
            return t;
        }
        throw new ApiParams.BadParameter("this store keeps no files: snapshots and tombstones need the durable engine");
    }

    private static HttpResponse internal(StorageException e) {
        return ApiErrors.response(HttpStatus.INTERNAL_SERVER_ERROR, "internal", e.getMessage());
    }

    /** Prometheus's admin snapshot: {@code <data>/snapshots/<UTC time>-<random hex>}, blocks hard-linked. */
    private HttpResponse snapshot(ServiceRequestContext ctx, ApiParams p) {
        boolean skipHead = p.bool("skip_head", false);
        String name = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()) + "-"
                + String.format("%016x", new java.security.SecureRandom().nextLong());
        java.nio.file.Path dir = config.get().storage().path().resolve("snapshots").resolve(name);
        try {
            durable().snapshot(dir, skipHead);
        } catch (StorageException e) {
            return internal(e);
        }
        return ok(g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeEndObject();
        });
    }

    /** Prometheus's delete_series: match[] (required), start and end (default: all time); 204. */
    private HttpResponse deleteSeries(ServiceRequestContext ctx, ApiParams p) {
        List<List<LabelMatcher>> sets = matchers(p, true);
        long start = p.time("start", ApiParams.MIN_TIME);
        long end = p.time("end", ApiParams.MAX_TIME);
        if (end < start) {
            throw new ApiParams.BadParameter("invalid parameter \"end\": end timestamp must not be before start time");
        }
        Storage s = openStorage();
        try {
            for (List<LabelMatcher> set : sets) {
                s.delete(start, end, set.toArray(new LabelMatcher[0]));
            }
        } catch (StorageException e) {
            return internal(e);
        }
        return HttpResponse.of(HttpStatus.NO_CONTENT);
    }

    /** Prometheus's clean_tombstones: rewrites the blocks that have deleted samples; 204. */
    private HttpResponse cleanTombstones(ServiceRequestContext ctx, ApiParams p) {
        try {
            durable().maintain();
        } catch (StorageException e) {
            return internal(e);
        }
        return HttpResponse.of(HttpStatus.NO_CONTENT);
    }

    /** The work of one endpoint, given its merged parameters; runs on the query pool. */
    interface Work {
        HttpResponse run(ServiceRequestContext ctx, ApiParams params);
    }

    /**
     * A handler for cheap endpoints over in-memory state (targets, rules): runs on the request's thread,
     * reads only the query string, and turns a bad parameter into Prometheus's 400.
     */
    static HttpService inline(Work work) {
        return (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
            try {
                return work.run(ctx, new ApiParams(ctx.queryParams()));
            } catch (ApiParams.BadParameter e) {
                return error(e);
            }
        }));
    }

    /** An RFC 3339 time in UTC with milliseconds, or Go's zero time for 0 (never), as Prometheus writes them. */
    static String rfc3339(long ms) {
        return ms == 0 ? "0001-01-01T00:00:00Z" : RFC3339.format(java.time.Instant.ofEpochMilli(ms));
    }

    private static final java.time.format.DateTimeFormatter RFC3339 =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private HttpService handler(Work work) {
        return (ctx, req) -> HttpResponse.of(params(ctx, req).thenCompose(p -> submit(ctx, work, p)));
    }

    /** Query-string parameters plus, for a form POST, those of the body (Prometheus reads both). */
    private static CompletableFuture<ApiParams> params(ServiceRequestContext ctx, HttpRequest req) {
        QueryParams query = ctx.queryParams();
        MediaType type = req.contentType();
        boolean body = req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT
                || req.method() == HttpMethod.PATCH; // those whose form body Go's ParseForm reads
        if (!body || type == null || !type.is(MediaType.FORM_DATA)) {
            return req.aggregate().thenApply(ignored -> new ApiParams(query));
        }
        // As Go's Request.Form: the body's values first, so a parameter in both is the body's.
        return req.aggregate().thenApply((AggregatedHttpRequest agg) -> {
            QueryParamsBuilder b = QueryParams.fromQueryString(agg.contentUtf8()).toBuilder();
            b.add(query);
            return new ApiParams(b.build());
        });
    }

    /** How long a request waited for a query slot, from its submission to its start on the pool. */
    private static final io.netty.util.AttributeKey<Long> QUEUE_NANOS =
            io.netty.util.AttributeKey.valueOf(QueryApi.class, "queueNanos");

    /** What {@link #submit} recorded of {@code ctx}'s wait for a slot, or 0 for work run without queueing. */
    static long queueNanos(ServiceRequestContext ctx) {
        Long nanos = ctx.attr(QUEUE_NANOS);
        return nanos == null ? 0 : nanos;
    }

    /** Runs {@code work} on the query pool, within the queue's bounds and the query timeout. */
    CompletableFuture<HttpResponse> submit(ServiceRequestContext ctx, Work work, ApiParams p) {
        long queued = System.nanoTime();
        Duration timeout = config.get().query().timeout();
        // The work's own deadlines answer first (a query's wait and evaluation within its timeout; a wait for a slot
        // at most the timeout for the rest): the HTTP layer's timeout only backs them up, never cuts one short.
        ctx.setRequestTimeout(com.linecorp.armeria.common.util.TimeoutMode.SET_FROM_START,
                timeout.multipliedBy(2).plusSeconds(30));
        CompletableFuture<HttpResponse> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (System.nanoTime() - queued > timeout.toNanos()) {
                    f.complete(ApiErrors.response(HttpStatus.SERVICE_UNAVAILABLE, "timeout",
                            "query timed out waiting for a free query slot"));
                    return;
                }
                ctx.setAttr(QUEUE_NANOS, System.nanoTime() - queued);
                try {
                    f.complete(work.run(ctx, p));
                } catch (RuntimeException e) {
                    try {
                        f.complete(error(e));
                    } catch (RuntimeException bug) {
                        // Always answered: what is not a query's failure (a bug, storage trouble) goes to
                        // the error handler, which logs it with the request id and answers 500.
                        f.completeExceptionally(bug);
                    }
                } catch (Error e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.complete(ApiErrors.aggregatedWithHeader(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                    "too many queries waiting; retry later", HttpHeaderNames.RETRY_AFTER, "1").toHttpResponse());
        }
        return f;
    }

    static HttpResponse error(RuntimeException e) {
        Failure f = failure(e);
        if (f == null) {
            throw e;
        }
        return ApiErrors.response(f.status(), f.errorType(), e.getMessage());
    }

    /** How the API answers a failed query: its status and Prometheus's errorType. */
    record Failure(HttpStatus status, String errorType) {}

    /** The answer to an exception a query may end with, or null for one that is a bug. */
    static Failure failure(RuntimeException e) {
        if (e instanceof ApiParams.BadParameter) {
            return new Failure(HttpStatus.BAD_REQUEST, "bad_data");
        }
        if (e instanceof QueryException q) {
            return switch (q.kind()) {
                case BAD_DATA -> new Failure(HttpStatus.BAD_REQUEST, "bad_data");
                case TIMEOUT -> new Failure(HttpStatus.SERVICE_UNAVAILABLE, "timeout");
                case CANCELED -> new Failure(HttpStatus.SERVICE_UNAVAILABLE, "canceled");
                case EXECUTION, TOO_LARGE -> new Failure(HttpStatus.UNPROCESSABLE_ENTITY, "execution");
            };
        }
        if (e instanceof LabelMatcher.MatchTooExpensive) {
            return new Failure(HttpStatus.UNPROCESSABLE_ENTITY, "execution");
        }
        if (e instanceof StorageUnavailable) {
            return new Failure(HttpStatus.SERVICE_UNAVAILABLE, "unavailable");
        }
        return null;
    }

    /** The storage is not open yet (WAL replay running). */
    static final class StorageUnavailable extends RuntimeException {
        StorageUnavailable() {
            super("storage is not ready yet: the write-ahead log is being replayed", null, false, false);
        }
    }

    private Storage openStorage() {
        Storage s = storage.get();
        if (s == null) {
            throw new StorageUnavailable();
        }
        return s;
    }

    static HttpResponse ok(ResultJson.Body data) {
        return ok(data, List.of(), List.of());
    }

    /** A query's result, in a buffer sized for it. */
    private static HttpResponse ok(QueryResult r, boolean stats) {
        byte[] body = ResultJson.success(g -> ResultJson.queryData(g, r, stats), r.annotations().warnings(),
                r.annotations().infos(), ResultJson.sizeHint(r));
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body);
    }

    /** {@link #ok(ResultJson.Body)} in a buffer of {@code sizeHint} bytes first. */
    static HttpResponse ok(ResultJson.Body data, int sizeHint) {
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, ResultJson.success(data, List.of(), List.of(),
                sizeHint));
    }

    static HttpResponse ok(ResultJson.Body data, List<String> warnings, List<String> infos) {
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, ResultJson.success(data, warnings, infos));
    }

    /** The engine for a query that waited for its slot as {@code ctx} recorded: the wait counts against its timeout. */
    private Engine engine(ServiceRequestContext ctx, ApiParams p) {
        return engine(p, Long.MAX_VALUE, queueNanos(ctx) / 1_000_000);
    }

    /** The query timeout in force (query.timeout). */
    Duration timeout() {
        return config.get().query().timeout();
    }

    /**
     * The engine for a request's parameters ({@code timeout}, {@code lookback_delta},
     * {@code max_source_resolution}) within the config's limits.
     *
     * @param maxTimeoutMs a further bound on the timeout, for a request that runs several queries
     * @param waitedMs how long the request waited for a query slot: as in Prometheus, its timeout (the lesser of
     *     {@code timeout} and query.timeout) runs from its arrival, not from the start of its evaluation
     */
    Engine engine(ApiParams p, long maxTimeoutMs, long waitedMs) {
        SightlineConfig.QueryConfig qc = config.get().query();
        long timeout = Math.min(Math.min(p.durationMillis("timeout", qc.timeout().toMillis()), qc.timeout().toMillis())
                - waitedMs, maxTimeoutMs);
        if (timeout <= 0) {
            timeout = -1; // as in Prometheus, a query given no time at all times out (503) instead of running
        }
        long lookback = p.durationMillis("lookback_delta", qc.lookbackDelta().toMillis());
        if (lookback <= 0) {
            throw new ApiParams.BadParameter("invalid parameter \"lookback_delta\": must be greater than 0");
        }
        long maxResolution = EngineOptions.AUTO;
        String mr = p.get("max_source_resolution");
        if (mr != null && !mr.equals("auto")) {
            maxResolution = p.durationMillis("max_source_resolution", 0);
            if (maxResolution < 0) {
                throw new ApiParams.BadParameter("invalid parameter \"max_source_resolution\": must be auto or a"
                        + " duration of at least 0s");
            }
        }
        return new Engine(new EngineOptions(Duration.ofMillis(lookback), Duration.ofMinutes(1), qc.maxSamples(),
                qc.maxSeries(), Duration.ofMillis(timeout),
                maxResolution));
    }

    private static Expr parse(String param, String query) {
        try {
            return Parser.parse(query);
        } catch (ParseException e) {
            throw new ApiParams.BadParameter("invalid parameter \"" + param + "\": " + e.getMessage());
        }
    }

    private HttpResponse instantQuery(ServiceRequestContext ctx, ApiParams p) {
        String query = p.required("query");
        long time = p.time("time", System.currentTimeMillis());
        Engine engine = engine(ctx, p);
        Expr expr = parse("query", query);
        QueryResult r = engine.instantQuery(openStorage(), expr, query, time).withQueueNanos(queueNanos(ctx));
        boolean stats = "all".equals(p.get("stats"));
        return ok(r, stats);
    }

    private HttpResponse rangeQuery(ServiceRequestContext ctx, ApiParams p) {
        String query = p.required("query");
        Range range = range(p);
        QueryResult r = evalRange(engine(ctx, p), query, range).withQueueNanos(queueNanos(ctx));
        boolean stats = "all".equals(p.get("stats"));
        return ok(r, stats);
    }

    /** A range query's span and resolution, in milliseconds. */
    record Range(long start, long end, long step) {}

    /** The {@code start}, {@code end} and {@code step} of a range query, checked as Prometheus checks them. */
    static Range range(ApiParams p) {
        long start = ApiParams.parseTime("start", p.required("start"));
        long end = ApiParams.parseTime("end", p.required("end"));
        if (end < start) {
            throw new ApiParams.BadParameter("invalid parameter \"end\": end timestamp must not be before start time");
        }
        p.required("step");
        long step = p.durationMillis("step", 0);
        if (step <= 0) {
            throw new ApiParams.BadParameter("invalid parameter \"step\": zero or negative query resolution step "
                    + "widths are not accepted. Try a positive integer");
        }
        if ((end - start) / step > MAX_POINTS) {
            throw new ApiParams.BadParameter("exceeded maximum resolution of 11,000 points per timeseries. Try "
                    + "decreasing the query resolution (?step=XX)");
        }
        return new Range(start, end, step);
    }

    /**
     * Parses and evaluates a range query as {@code /api/v1/query_range} does.
     *
     * @throws ApiParams.BadParameter for a query that does not parse or is not a scalar or instant vector
     * @throws QueryException when the evaluation fails
     */
    QueryResult evalRange(Engine engine, String query, Range range) {
        Expr expr = parse("query", query);
        if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
            throw new ApiParams.BadParameter("invalid parameter \"query\": invalid expression type \""
                    + expr.type().text() + "\" for range query, must be Scalar or instant Vector");
        }
        return engine.rangeQuery(openStorage(), expr, query, range.start(), range.end(), range.step());
    }

    private static List<List<LabelMatcher>> matchers(ApiParams p, boolean required) {
        List<String> raw = p.all("match[]");
        if (raw.isEmpty() && required) {
            throw new ApiParams.BadParameter("no match[] parameter provided");
        }
        List<List<LabelMatcher>> out = new ArrayList<>();
        for (String s : raw) {
            Expr e = parse("match[]", s);
            if (!(e instanceof Expr.VectorSelector vs) || vs.offset() != null || vs.at() != null) {
                throw new ApiParams.BadParameter("invalid parameter \"match[]\": " + s
                        + " is not a series selector such as up{job=\"node\"}");
            }
            out.add(vs.matchers());
        }
        return out;
    }

    static int parseLimit(ApiParams p, int dflt) {
        String v = p.get("limit");
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v); // Go's Atoi takes any int64: a huge limit is no limit, not an error
            if (n < 0) {
                throw new NumberFormatException();
            }
            return (int) Math.min(n, Integer.MAX_VALUE);
        } catch (NumberFormatException e) {
            throw new ApiParams.BadParameter("invalid parameter \"limit\": cannot parse \"" + v
                    + "\" as a non-negative integer");
        }
    }

    /** The most statistics of each kind /api/v1/status/tsdb lists, as in Prometheus (prometheus/prometheus#17647). */
    static final int TSDB_MAX_LIMIT = 10_000;

    /**
     * {@code limit} of /api/v1/status/tsdb: how many of each statistic, 10 unless given, and from 1 to
     * {@link #TSDB_MAX_LIMIT} (Prometheus refuses 0 here, where the listing endpoints read it as "no limit").
     */
    static int tsdbLimit(ApiParams p) {
        String v = p.get("limit");
        if (v == null || v.isEmpty()) {
            return 10;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= TSDB_MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the same answer as for a number out of range
        }
        throw new ApiParams.BadParameter("invalid parameter \"limit\": must be a whole number from 1 to "
                + TSDB_MAX_LIMIT + ", got \"" + v + "\"");
    }

    private HttpResponse series(ServiceRequestContext ctx, ApiParams p) {
        List<List<LabelMatcher>> sets = matchers(p, true);
        long start = p.time("start", ApiParams.MIN_TIME);
        long end = p.time("end", ApiParams.MAX_TIME);
        int limit = parseLimit(p, 0);
        TreeSet<Labels> result = new TreeSet<>();
        try (Querier q = querier(start, end)) {
            for (List<LabelMatcher> ms : sets) {
                SeriesSet set = q.select(false, SelectHints.range(start, end), ms.toArray(new LabelMatcher[0]));
                while (set.next()) {
                    result.add(set.at().labels());
                }
            }
        }
        List<String> warnings = new ArrayList<>();
        List<Labels> out = new ArrayList<>(result);
        if (limit > 0 && out.size() > limit) {
            out = out.subList(0, limit);
            warnings.add("results truncated due to limit");
        }
        List<Labels> finalOut = out;
        return ok(g -> {
            g.writeStartArray();
            for (Labels l : finalOut) {
                ResultJson.labels(g, l);
            }
            g.writeEndArray();
        }, warnings, List.of());
    }

    private Querier querier(long start, long end) {
        try {
            return openStorage().querier(start, end);
        } catch (StorageException e) {
            throw new QueryException(QueryException.Kind.EXECUTION, "cannot read storage: " + e.getMessage());
        }
    }

    private HttpResponse labelNames(ServiceRequestContext ctx, ApiParams p) {
        List<List<LabelMatcher>> sets = matchers(p, false);
        long start = p.time("start", ApiParams.MIN_TIME);
        long end = p.time("end", ApiParams.MAX_TIME);
        TreeSet<String> names = new TreeSet<>();
        try (Querier q = querier(start, end)) {
            if (sets.isEmpty()) {
                names.addAll(q.labelNames());
            } else {
                for (List<LabelMatcher> ms : sets) {
                    names.addAll(q.labelNames(ms.toArray(new LabelMatcher[0])));
                }
            }
        }
        return stringList(names, parseLimit(p, 0));
    }

    private HttpResponse labelValues(ServiceRequestContext ctx, ApiParams p) {
        String name = ctx.pathParam("name");
        if (name != null && name.startsWith("U__")) {
            name = unescapeUtf8Name(name.substring(3));
        }
        if (name == null || name.isEmpty()) {
            throw new ApiParams.BadParameter("invalid label name: \"" + name + "\"");
        }
        List<List<LabelMatcher>> sets = matchers(p, false);
        long start = p.time("start", ApiParams.MIN_TIME);
        long end = p.time("end", ApiParams.MAX_TIME);
        TreeSet<String> values = new TreeSet<>();
        try (Querier q = querier(start, end)) {
            if (sets.isEmpty()) {
                values.addAll(q.labelValues(name));
            } else {
                for (List<LabelMatcher> ms : sets) {
                    values.addAll(q.labelValues(name, ms.toArray(new LabelMatcher[0])));
                }
            }
        }
        return stringList(values, parseLimit(p, 0));
    }

    /** Prometheus's {@code U__} escaping of UTF-8 label names in paths: {@code _XX_} is a code point in hex, {@code __} an underscore. */
    static String unescapeUtf8Name(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '_') {
                sb.append(c);
                continue;
            }
            if (i + 1 < s.length() && s.charAt(i + 1) == '_') {
                sb.append('_');
                i++;
                continue;
            }
            int close = s.indexOf('_', i + 1);
            if (close < 0) {
                throw new ApiParams.BadParameter("invalid label name: \"U__" + s + "\"");
            }
            try {
                sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, close), 16));
            } catch (IllegalArgumentException e) {
                throw new ApiParams.BadParameter("invalid label name: \"U__" + s + "\"");
            }
            i = close;
        }
        return sb.toString();
    }

    private static HttpResponse stringList(java.util.Collection<String> values, int limit) {
        List<String> out = new ArrayList<>(values);
        List<String> warnings = new ArrayList<>();
        if (limit > 0 && out.size() > limit) {
            out = out.subList(0, limit);
            warnings.add("results truncated due to limit");
        }
        List<String> finalOut = out;
        return ok(g -> {
            g.writeStartArray();
            for (String v : finalOut) {
                g.writeString(v);
            }
            g.writeEndArray();
        }, warnings, List.of());
    }

    private HttpResponse formatQuery(ServiceRequestContext ctx, ApiParams p) {
        String query = p.required("query");
        String formatted = Printer.print(parse("query", query));
        return ok(g -> g.writeString(formatted));
    }

    /**
     * Prometheus's exemplar query, its parameters checked as Prometheus checks them (start, end, then the
     * query). Sightline keeps no exemplars yet, so every selector finds none: an empty list, or, as
     * Prometheus answers a query without any selector, 204 and no body.
     */
    private HttpResponse queryExemplars(ServiceRequestContext ctx, ApiParams p) {
        long start = p.time("start", ApiParams.MIN_TIME);
        long end = p.time("end", ApiParams.MAX_TIME);
        if (end < start) {
            throw new ApiParams.BadParameter("end timestamp must not be before start timestamp");
        }
        Expr expr;
        try {
            expr = Parser.parse(p.get("query") == null ? "" : p.get("query"));
        } catch (ParseException e) {
            throw new ApiParams.BadParameter(e.getMessage()); // bare, as Prometheus's exemplar endpoint has it
        }
        List<List<LabelMatcher>> selectors = new ArrayList<>();
        AstWalk.selectors(expr, selectors);
        if (selectors.isEmpty()) {
            return HttpResponse.of(HttpStatus.NO_CONTENT);
        }
        return ok(g -> {
            g.writeStartArray();
            g.writeEndArray();
        });
    }

    private HttpResponse parseQuery(ServiceRequestContext ctx, ApiParams p) {
        String query = p.required("query");
        Expr expr = parse("query", query);
        return ok(g -> AstJson.write(g, expr));
    }
}
