package io.sightline.server.ingest;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.ingest.text.TextFormatParser;
import io.sightline.server.http.ApiErrors;
import java.util.function.LongSupplier;

/**
 * {@code POST /api/v1/import/prometheus}: samples in the Prometheus text exposition format, for backfill
 * and scripts ({@code curl --data-binary @metrics.txt}), or OpenMetrics text when the
 * {@code Content-Type} is {@code application/openmetrics-text}. Samples without a timestamp get the
 * {@code timestamp} query parameter (milliseconds) or the time of the request. The body may be gzipped.
 * Statuses as {@link IngestPipeline}; a malformed line fails the whole body with its line number.
 */
public final class TextImportHandler implements HttpService {
    private final IngestPipeline pipeline;
    private final LongSupplier maxBodyBytes;

    /** @param maxBodyBytes also the bound on the decompressed size of a gzipped body */
    public TextImportHandler(IngestPipeline pipeline, LongSupplier maxBodyBytes) {
        this.pipeline = pipeline;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "identity");
        Boolean gzip = RequestBodies.isGzip(encoding);
        if (gzip == null) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported Content-Encoding \"" + encoding + "\": send plain text or gzip");
        }
        QueryParams params = ctx.queryParams();
        long defaultT = System.currentTimeMillis();
        String ts = params.get("timestamp");
        if (ts != null) {
            try {
                defaultT = Long.parseLong(ts);
            } catch (NumberFormatException e) {
                return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data",
                        "invalid timestamp parameter \"" + ts + "\": expected milliseconds since the epoch");
            }
        }
        long t = defaultT;
        com.linecorp.armeria.common.MediaType type = req.contentType();
        if (type != null && type.subtype().equals("openmetrics-text")) {
            return pipeline.serve(req, "prometheus_import",
                    (body, sink) -> io.sightline.ingest.text.OpenMetricsParser.parse(
                            RequestBodies.utf8(body, gzip, maxBodyBytes.getAsLong(), "cannot parse OpenMetrics text"), t, sink));
        }
        return pipeline.serve(req, "prometheus_import",
                (body, sink) -> TextFormatParser.parse(
                        RequestBodies.utf8(body, gzip, maxBodyBytes.getAsLong(), "cannot parse exposition text"), t, sink));
    }
}
