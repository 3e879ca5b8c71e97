package io.sightline.server.query;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.remoteread.RemoteRead;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.engine.ValueFormat;
import io.sightline.promql.parser.ParseException;
import io.sightline.promql.parser.Parser;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.http.ApiErrors;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SelectHints;
import io.sightline.tsdb.SeriesSet;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code /federate} (the newest sample of each matched series, in the text exposition format, for a
 * Prometheus scraping Sightline) and remote read ({@code POST /api/v1/read}, raw samples as
 * snappy-compressed protobuf, for a Prometheus with Sightline under {@code remote_read}).
 */
final class FederationApi {

    private final Supplier<Storage> storage;
    private final Supplier<SightlineConfig> config;

    FederationApi(Supplier<Storage> storage, Supplier<SightlineConfig> config) {
        this.storage = storage;
        this.config = config;
    }

    private Storage open() {
        Storage s = storage.get();
        if (s == null) {
            throw new QueryApi.StorageUnavailable();
        }
        return s;
    }

    /**
     * Every matched series' newest sample within the lookback delta, grouped by metric name. As Prometheus
     * does, the external labels a series lacks are written after its own, in name order, and an
     * {@code instance} label counts among them (empty unless configured): a Prometheus scraping this with
     * {@code honor_labels: true} then keeps the series' own lack of an instance instead of adding its
     * target's.
     */
    HttpResponse federate(ServiceRequestContext ctx, ApiParams p) {
        List<String> raw = p.all("match[]");
        if (raw.isEmpty()) {
            throw new ApiParams.BadParameter("no match[] parameter provided");
        }
        long now = System.currentTimeMillis();
        long lookback = config.get().query().lookbackDelta().toMillis();
        TreeMap<String, String> external = new TreeMap<>();
        Labels configured = config.get().global().externalLabels();
        for (int i = 0; i < configured.size(); i++) {
            external.put(configured.name(i), configured.value(i));
        }
        external.putIfAbsent("instance", "");
        TreeMap<String, TreeMap<Labels, long[]>> byName = new TreeMap<>();
        TreeMap<String, TreeMap<Labels, Double>> values = new TreeMap<>();
        try (Querier q = open().querier(now - lookback, now)) {
            for (String m : raw) {
                Expr e;
                try {
                    e = Parser.parse(m);
                } catch (ParseException ex) {
                    throw new ApiParams.BadParameter("invalid parameter \"match[]\": " + ex.getMessage());
                }
                if (!(e instanceof Expr.VectorSelector vs)) {
                    throw new ApiParams.BadParameter("invalid parameter \"match[]\": " + m
                            + " is not a series selector such as up{job=\"node\"}");
                }
                SeriesSet set = q.select(false, SelectHints.range(now - lookback, now),
                        vs.matchers().toArray(new LabelMatcher[0]));
                SampleIterator reuse = null;
                while (set.next()) {
                    SampleIterator it = set.at().iterator(reuse);
                    reuse = it;
                    long t = Long.MIN_VALUE;
                    double v = 0;
                    if (it.seek(now - lookback + 1)) {
                        do {
                            if (it.timestamp() > now) {
                                break;
                            }
                            t = it.timestamp();
                            v = it.value();
                        } while (it.next());
                    }
                    if (t == Long.MIN_VALUE || StaleNaN.is(v)) {
                        continue;
                    }
                    Labels l = set.at().labels();
                    byName.computeIfAbsent(l.metricName(), x -> new TreeMap<>()).put(l, new long[] {t});
                    values.computeIfAbsent(l.metricName(), x -> new TreeMap<>()).put(l, v);
                }
            }
        } catch (StorageException e) {
            throw new io.sightline.promql.engine.QueryException(io.sightline.promql.engine.QueryException.Kind.EXECUTION,
                    "cannot read storage: " + e.getMessage());
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, TreeMap<Labels, long[]>> family : byName.entrySet()) {
            sb.append("# TYPE ").append(family.getKey()).append(" untyped\n");
            for (Map.Entry<Labels, long[]> s : family.getValue().entrySet()) {
                sb.append(exposition(s.getKey(), external)).append(' ')
                        .append(ValueFormat.value(values.get(family.getKey()).get(s.getKey()))).append(' ')
                        .append(s.getValue()[0]).append('\n');
            }
        }
        return HttpResponse.of(HttpStatus.OK, MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
                sb.toString());
    }

    /**
     * {@code name{a="b",c="d"}} as the text format writes it (no spaces, escaped values), then those of
     * {@code external} the series lacks.
     */
    static String exposition(Labels l, java.util.SortedMap<String, String> external) {
        StringBuilder sb = new StringBuilder(l.metricName());
        boolean first = true;
        for (int i = 0; i < l.size(); i++) {
            if (l.name(i).equals(Labels.METRIC_NAME)) {
                continue;
            }
            first = label(sb, first, l.name(i), l.value(i));
        }
        for (Map.Entry<String, String> e : external.entrySet()) {
            if (!l.has(e.getKey())) {
                first = label(sb, first, e.getKey(), e.getValue());
            }
        }
        if (!first) {
            sb.append('}');
        }
        return sb.toString();
    }

    private static boolean label(StringBuilder sb, boolean first, String name, String value) {
        sb.append(first ? '{' : ',');
        sb.append(name).append("=\"");
        Labels.escape(value, sb);
        sb.append('"');
        return false;
    }

    /**
     * Remote read: the raw samples of each query, at most {@code query.max_samples} in all, as
     * {@code SAMPLES} or, when the client accepts it first, {@code STREAMED_XOR_CHUNKS} frames.
     */
    HttpResponse remoteRead(ServiceRequestContext ctx, HttpRequest req, byte[] body) {
        RemoteRead.Request request;
        try {
            request = RemoteRead.decodeSnappy(body, config.get().limits().maxRequestBodyBytes());
        } catch (MalformedRequestException e) {
            return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", e.getMessage());
        }
        int responseType = RemoteRead.responseType(request.acceptedResponseTypes());
        if (responseType < 0) {
            return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", "none of the accepted response types "
                    + request.acceptedResponseTypes() + " is supported: SAMPLES (0) and STREAMED_XOR_CHUNKS (1) are");
        }
        long limit = config.get().query().maxSamples();
        long total = 0;
        List<List<RemoteRead.Series>> results = new ArrayList<>();
        Storage s = open();
        for (RemoteRead.Query query : request.queries()) {
            List<RemoteRead.Series> series = new ArrayList<>();
            try (Querier q = s.querier(query.startMs(), query.endMs())) {
                SeriesSet set = q.select(true, SelectHints.range(query.startMs(), query.endMs()),
                        query.matchers().toArray(new LabelMatcher[0]));
                SampleIterator reuse = null;
                while (set.next()) {
                    SampleIterator it = set.at().iterator(reuse);
                    reuse = it;
                    List<long[]> points = new ArrayList<>();
                    if (it.seek(query.startMs())) {
                        do {
                            if (it.timestamp() > query.endMs()) {
                                break;
                            }
                            points.add(new long[] {it.timestamp(), Double.doubleToRawLongBits(it.value())});
                        } while (it.next());
                    }
                    total += points.size();
                    if (total > limit) {
                        return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", "exceeded sample limit ("
                                + limit + "): narrow the time range or the matchers");
                    }
                    if (!points.isEmpty()) {
                        long[] ts = new long[points.size()];
                        double[] vs = new double[points.size()];
                        for (int i = 0; i < ts.length; i++) {
                            ts[i] = points.get(i)[0];
                            vs[i] = Double.longBitsToDouble(points.get(i)[1]);
                        }
                        series.add(new RemoteRead.Series(set.at().labels(), ts, vs));
                    }
                }
            } catch (StorageException e) {
                return ApiErrors.response(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "cannot read storage: "
                        + e.getMessage());
            }
            results.add(series);
        }
        if (responseType == RemoteRead.STREAMED_XOR_CHUNKS) {
            java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
            for (int qi = 0; qi < results.size(); qi++) {
                for (RemoteRead.Series series : results.get(qi)) {
                    frames.writeBytes(RemoteRead.chunkedFrame(qi, series));
                }
            }
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                    .contentType(MediaType.parse(RemoteRead.STREAMED_CONTENT_TYPE)).build(),
                    HttpData.wrap(frames.toByteArray()));
        }
        byte[] out = RemoteRead.encodeSnappy(results);
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                .contentType(MediaType.parse("application/x-protobuf"))
                .add(HttpHeaderNames.CONTENT_ENCODING, "snappy").build(), HttpData.wrap(out));
    }
}
