package io.sightline.server.ingest;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.ingest.influx.LineProtocolParser;
import io.sightline.server.http.ApiErrors;
import java.util.function.LongSupplier;

/**
 * InfluxDB line protocol writes: {@code POST /write} (v1: {@code db}, {@code precision} of
 * {@code n u ms s m h}) and {@code POST /api/v2/write} (v2: {@code bucket}, {@code org},
 * {@code precision} of {@code ns us ms s}), plain or gzipped. The mapping to series is
 * {@link LineProtocolParser}'s. As InfluxDB does, bad lines are refused one by one and the rest stored
 * (then 400 says which); otherwise statuses as {@link IngestPipeline}.
 */
public final class InfluxWriteHandler implements HttpService {
    private final IngestPipeline pipeline;
    private final LongSupplier maxBodyBytes;
    private final boolean v2;

    public InfluxWriteHandler(IngestPipeline pipeline, LongSupplier maxBodyBytes, boolean v2) {
        this.pipeline = pipeline;
        this.maxBodyBytes = maxBodyBytes;
        this.v2 = v2;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        Boolean gzip = RequestBodies.isGzip(req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "identity"));
        if (gzip == null) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported Content-Encoding: send plain text or gzip");
        }
        String p = ctx.queryParam("precision");
        LineProtocolParser.Precision precision = p == null ? LineProtocolParser.Precision.NS
                : LineProtocolParser.Precision.parse(p);
        if (precision == null || (v2 && p != null && (p.equals("n") || p.equals("u") || p.equals("m") || p.equals("h")))) {
            return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", "invalid precision \"" + p + "\": expected "
                    + (v2 ? "ns, us, ms or s" : "n, u, ms, s, m or h"));
        }
        String db = ctx.queryParam(v2 ? "bucket" : "db");
        long now = System.currentTimeMillis();
        return pipeline.serve(req, "influx", (body, sink) ->
                LineProtocolParser.parse(RequestBodies.utf8(body, gzip, maxBodyBytes.getAsLong(),
                        "cannot parse line protocol"), precision, db, now, sink));
    }
}
