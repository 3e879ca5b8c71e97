package io.sightline.server.ingest;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.ingest.remotewrite.RemoteWriteDecoder;
import io.sightline.ingest.remotewrite.RemoteWriteV2Decoder;
import io.sightline.server.http.ApiErrors;
import java.util.function.LongSupplier;

/**
 * {@code POST /api/v1/write}: Prometheus remote_write 1.0 (snappy-compressed {@code WriteRequest}) and
 * 2.0 ({@code io.prometheus.write.v2.Request}, chosen by the {@code proto} parameter of the Content-Type,
 * answered with the {@code X-Prometheus-Remote-Write-*-Written} headers),
 * with the status semantics of {@link IngestPipeline}, so senders retry exactly what is worth retrying;
 * 415 for an encoding it does not speak.
 */
public final class RemoteWriteHandler implements HttpService {
    private final IngestPipeline pipeline;
    private final LongSupplier maxBodyBytes;

    /** @param maxBodyBytes also the bound on the decompressed size, against decompression bombs */
    public RemoteWriteHandler(IngestPipeline pipeline, LongSupplier maxBodyBytes) {
        this.pipeline = pipeline;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        String proto = protoParameter(type);
        boolean v2 = proto.equals("io.prometheus.write.v2.Request");
        if (!v2 && !proto.isEmpty() && !proto.equals("prometheus.WriteRequest")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported remote write message \"" + proto + "\": send prometheus.WriteRequest (1.0)"
                            + " or io.prometheus.write.v2.Request (2.0)");
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "snappy");
        if (!encoding.equalsIgnoreCase("snappy")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported Content-Encoding \"" + encoding + "\": remote write bodies are snappy-compressed");
        }
        if (!v2) {
            return pipeline.serveBuffered(ctx, req, "remote_write", (body, length, sink) ->
                    new RemoteWriteDecoder(maxBodyBytes.getAsLong()).decodeSnappy(body, length, sink));
        }
        long length = req.headers().contentLength();
        HttpResponse refused = pipeline.enter(length);
        if (refused != null) {
            return refused;
        }
        java.util.concurrent.CompletableFuture<HttpResponse> done = req.aggregate().thenCompose(agg -> pipeline.store(
                agg.content().array(), "remote_write_v2",
                (body, sink) -> new RemoteWriteV2Decoder(maxBodyBytes.getAsLong()).decodeSnappy(body, sink))
                .thenApply(RemoteWriteHandler::v2Response));
        done.whenComplete((r, e) -> pipeline.leave(length));
        return HttpResponse.of(done);
    }

    /** Remote write 2.0 answers say what was written, also when some series were refused. */
    private static HttpResponse v2Response(IngestPipeline.Outcome o) {
        com.linecorp.armeria.common.HttpResponse base = switch (o.kind()) {
            case UNAVAILABLE -> IngestPipeline.retryLater(o.retryAfter(), o.message());
            case MALFORMED -> ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", o.message());
            case STORED -> o.rejected() == 0 ? HttpResponse.of(HttpStatus.NO_CONTENT)
                    : ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data", o.summary());
        };
        return base.mapHeaders(h -> h.toBuilder()
                .set("X-Prometheus-Remote-Write-Samples-Written", Long.toString(o.accepted()))
                .set("X-Prometheus-Remote-Write-Histograms-Written", "0")
                .set("X-Prometheus-Remote-Write-Exemplars-Written", "0").build());
    }

    /** The {@code proto} parameter of a Content-Type, or "" (remote write 1.0 senders often send none). */
    static String protoParameter(String contentType) {
        for (String part : contentType.split(";")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "proto=", 0, 6)) {
                return p.substring(6).strip().replace("\"", "");
            }
        }
        return "";
    }
}
