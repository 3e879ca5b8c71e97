package io.sightline.server.ingest;

import com.google.protobuf.CodedOutputStream;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.otlp.OtlpMetricsTranslator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * {@code POST /v1/metrics} (and Prometheus's path {@code /api/v1/otlp/v1/metrics}): OTLP/HTTP metrics,
 * binary protobuf ({@code application/x-protobuf}) or JSON ({@code application/json}), plain or gzip.
 * Answers as the OTLP/HTTP specification says, in the request's encoding: 200 with an
 * {@code ExportMetricsServiceResponse} (with {@code partial_success} naming how many points were
 * refused and why, when some were); 400 with a {@code google.rpc.Status} for a body that cannot be
 * decoded (nothing stored); 415 for another content type; 503 with {@code Retry-After} under overload or
 * while storage opens, which OTLP exporters retry.
 */
public final class OtlpHttpHandler implements HttpService {
    private final IngestPipeline pipeline;
    private final OtlpMetricsTranslator translator;
    private final LongSupplier maxBodyBytes;

    public OtlpHttpHandler(IngestPipeline pipeline, OtlpMetricsTranslator translator, LongSupplier maxBodyBytes) {
        this.pipeline = pipeline;
        this.translator = translator;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        MediaType type = req.contentType();
        boolean json;
        if (type != null && type.is(MediaType.JSON)) {
            json = true;
        } else if (type != null && (type.is(MediaType.PROTOBUF) || type.subtype().equals("x-protobuf"))) {
            json = false;
        } else {
            return status(HttpStatus.UNSUPPORTED_MEDIA_TYPE, false, 3,
                    "unsupported Content-Type \"" + (type == null ? "" : type) + "\": send application/x-protobuf or application/json");
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "identity");
        Boolean gzip = RequestBodies.isGzip(encoding);
        if (gzip == null) {
            return status(HttpStatus.UNSUPPORTED_MEDIA_TYPE, json, 3,
                    "unsupported Content-Encoding \"" + encoding + "\": send plain or gzip");
        }
        long length = req.headers().contentLength();
        HttpResponse refused = pipeline.enter(length);
        if (refused != null) {
            return status(HttpStatus.SERVICE_UNAVAILABLE, json, 14, "too many writes in flight; retry shortly", 1);
        }
        long now = System.currentTimeMillis();
        io.sightline.ingest.otlp.DeltaAccumulator.Batch deltas = translator.deltaBatch();
        CompletableFuture<HttpResponse> done = req.aggregate().thenCompose(agg -> pipeline.store(agg.content().array(),
                "otlp", (body, sink) -> {
                    byte[] raw = gzip ? RequestBodies.bytes(body, true, maxBodyBytes.getAsLong(), "cannot read the OTLP body") : body;
                    ExportMetricsServiceRequest r = json
                            ? OtlpMetricsTranslator.parseJson(RequestBodies.utf8(raw, false, Long.MAX_VALUE, "cannot read the OTLP JSON body"))
                            : OtlpMetricsTranslator.parseProtobuf(raw);
                    translator.translate(r, now, sink, deltas);
                }).thenApply(o -> {
                    if (o.kind() == IngestPipeline.Outcome.Kind.STORED) {
                        deltas.commit(); // only stored requests move the delta totals
                    }
                    return respond(o, json);
                }));
        done.whenComplete((r, e) -> pipeline.leave(length));
        return HttpResponse.of(done);
    }

    private static HttpResponse respond(IngestPipeline.Outcome o, boolean json) {
        return switch (o.kind()) {
            case UNAVAILABLE -> status(HttpStatus.SERVICE_UNAVAILABLE, json, 14, o.message(), o.retryAfter());
            case MALFORMED -> status(HttpStatus.BAD_REQUEST, json, 3, o.message());
            case STORED -> {
                ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
                if (o.rejected() > 0) {
                    b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(o.rejected())
                            .setErrorMessage(o.summary()));
                }
                yield message(b.build(), json);
            }
        };
    }

    private static HttpResponse message(ExportMetricsServiceResponse r, boolean json) {
        if (json) {
            try {
                String text = com.google.protobuf.util.JsonFormat.printer().omittingInsignificantWhitespace().print(r);
                return HttpResponse.of(HttpStatus.OK, MediaType.JSON, text);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
        return HttpResponse.of(HttpStatus.OK, MediaType.parse("application/x-protobuf"), r.toByteArray());
    }

    private static HttpResponse status(HttpStatus http, boolean json, int code, String message) {
        return status(http, json, code, message, 0);
    }

    /** A {@code google.rpc.Status} (code, message) in the request's encoding. */
    static HttpResponse status(HttpStatus http, boolean json, int code, String message, int retryAfter) {
        com.linecorp.armeria.common.ResponseHeadersBuilder h = ResponseHeaders.builder(http)
                .contentType(json ? MediaType.JSON : MediaType.parse("application/x-protobuf"));
        if (retryAfter > 0) {
            h.set(HttpHeaderNames.RETRY_AFTER, Integer.toString(retryAfter));
        }
        if (json) {
            StringBuilder sb = new StringBuilder("{\"code\":").append(code).append(",\"message\":\"");
            sb.append(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(message));
            sb.append("\"}");
            return HttpResponse.of(h.build(), com.linecorp.armeria.common.HttpData.ofUtf8(sb.toString()));
        }
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bo);
            out.writeInt32(1, code);
            out.writeString(2, message);
            out.flush();
            return HttpResponse.of(h.build(), com.linecorp.armeria.common.HttpData.wrap(bo.toByteArray()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
