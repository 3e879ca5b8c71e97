package io.sightline.server.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
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
import io.sightline.ingest.otlp.DeltaAccumulator;
import io.sightline.ingest.otlp.OtlpMetricsTranslator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC metrics ({@code opentelemetry.proto.collector.metrics.v1.MetricsService/Export}) on the
 * server's port, beside HTTP/1 and HTTP/2 requests: the same translation and storage as
 * {@link OtlpHttpHandler}; refused points are reported in {@code partial_success}; overload and an opening
 * store are {@code UNAVAILABLE}, which exporters retry with backoff.
 *
 * <p>Export is a unary call, so this is the part of gRPC over HTTP/2 it needs, written here rather than
 * through a gRPC server library (whose start-up alone loaded about 1,000 classes: a fifth of the process's
 * metadata): one length-prefixed message in ({@code grpc-encoding} identity or gzip), one out, the status
 * in trailers; errors as a trailers-only response. Wrong input gets {@code INVALID_ARGUMENT} (a malformed
 * frame or message), {@code RESOURCE_EXHAUSTED} (larger than {@code limits.max_request_body_size}) or
 * {@code UNIMPLEMENTED} (another encoding; {@code grpc-accept-encoding} says which are known).
 * {@code grpc-timeout} is not enforced: an export is stored or refused within the request's own time.
 */
public final class OtlpGrpcService implements HttpService {
    /** The gRPC method path the server routes here. */
    public static final String PATH = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private static final Logger LOG = LoggerFactory.getLogger(OtlpGrpcService.class);
    private static final MediaType GRPC = MediaType.parse("application/grpc");

    /** gRPC status codes (grpc/doc/statuscodes.md). */
    enum Code {
        OK(0), INVALID_ARGUMENT(3), RESOURCE_EXHAUSTED(8), UNIMPLEMENTED(12), INTERNAL(13), UNAVAILABLE(14);

        final int value;

        Code(int value) {
            this.value = value;
        }
    }

    private final IngestPipeline pipeline;
    private final OtlpMetricsTranslator translator;
    private final int maxMessageBytes;

    private OtlpGrpcService(IngestPipeline pipeline, OtlpMetricsTranslator translator, int maxMessageBytes) {
        this.pipeline = pipeline;
        this.translator = translator;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** @param maxMessageBytes the largest request message accepted (decompressed) */
    public static HttpService create(IngestPipeline pipeline, OtlpMetricsTranslator translator, int maxMessageBytes) {
        return new OtlpGrpcService(pipeline, translator, maxMessageBytes);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (req.method() != HttpMethod.POST) {
            return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8,
                    "gRPC calls are POST requests");
        }
        MediaType type = req.contentType();
        if (type == null || !type.type().equals("application")
                || !type.subtype().equals("grpc") && !type.subtype().equals("grpc+proto")) {
            // gRPC's HTTP mapping: a request that is not gRPC gets HTTP 415.
            return HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT_UTF_8,
                    "send Content-Type: application/grpc (OTLP/gRPC), got " + (type == null ? "none" : type));
        }
        String encoding = req.headers().get("grpc-encoding", "identity");
        if (!encoding.equals("identity") && !encoding.equals("gzip")) {
            return error(Code.UNIMPLEMENTED, "grpc-encoding \"" + encoding + "\" is not supported: send identity or gzip");
        }
        boolean gzip = encoding.equals("gzip");
        return HttpResponse.of(req.aggregate().thenCompose(agg -> export(agg, gzip)));
    }

    private CompletableFuture<HttpResponse> export(AggregatedHttpRequest agg, boolean gzip) {
        ExportMetricsServiceRequest request;
        try {
            request = ExportMetricsServiceRequest.parseFrom(message(agg.content().array(), gzip, maxMessageBytes));
        } catch (GrpcException e) {
            return CompletableFuture.completedFuture(error(e.code, e.getMessage()));
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.completedFuture(error(Code.INVALID_ARGUMENT,
                    "cannot decode ExportMetricsServiceRequest: " + e.getMessage()));
        }
        long size = request.getSerializedSize();
        if (pipeline.enter(size) != null) {
            return CompletableFuture.completedFuture(error(Code.UNAVAILABLE, "too many writes in flight; retry shortly"));
        }
        long now = System.currentTimeMillis();
        DeltaAccumulator.Batch deltas = translator.deltaBatch();
        return pipeline.store(new byte[0], "otlp", (body, sink) -> translator.translate(request, now, sink, deltas))
                .handle((o, e) -> {
                    pipeline.leave(size);
                    if (e != null) {
                        LOG.atError().setCause(e).log("OTLP gRPC export failed");
                        return error(Code.INTERNAL, "internal error storing the export (logged by the server)");
                    }
                    return switch (o.kind()) {
                        case UNAVAILABLE -> error(Code.UNAVAILABLE, o.message());
                        case MALFORMED -> error(Code.INVALID_ARGUMENT, o.message());
                        case STORED -> {
                            deltas.commit(); // only stored requests move the delta totals
                            ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
                            if (o.rejected() > 0) {
                                b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                                        .setRejectedDataPoints(o.rejected()).setErrorMessage(o.summary()));
                            }
                            yield ok(b.build().toByteArray());
                        }
                    };
                });
    }

    /** A gRPC failure: a status code and a message for {@code grpc-message}. */
    static final class GrpcException extends Exception {
        final Code code;

        GrpcException(Code code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /**
     * The one message of a unary call: a frame of a compressed-flag byte, a four-byte big-endian length and
     * the message, decompressed when the flag says so.
     */
    static byte[] message(byte[] body, boolean gzip, int maxMessageBytes) throws GrpcException {
        if (body.length == 0) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "no request message: Export takes exactly one");
        }
        if (body.length < 5) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "truncated gRPC frame: " + body.length
                    + " bytes, a frame starts with 5");
        }
        int flag = body[0];
        long length = ((body[1] & 0xFFL) << 24) | ((body[2] & 0xFF) << 16) | ((body[3] & 0xFF) << 8) | (body[4] & 0xFF);
        if (flag != 0 && flag != 1) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "invalid gRPC frame: compressed flag " + flag
                    + " (0 or 1)");
        }
        if (length > maxMessageBytes) {
            throw new GrpcException(Code.RESOURCE_EXHAUSTED, "request message of " + length
                    + " bytes exceeds the limit of " + maxMessageBytes + " bytes (limits.max_request_body_size)");
        }
        if (5 + length > body.length) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "truncated gRPC frame: the message is " + length
                    + " bytes, " + (body.length - 5) + " arrived");
        }
        if (5 + length < body.length) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "more than one request message: Export takes exactly one");
        }
        byte[] message = java.util.Arrays.copyOfRange(body, 5, body.length);
        if (flag == 0) {
            return message;
        }
        if (!gzip) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "compressed message without grpc-encoding");
        }
        try {
            return RequestBodies.gunzip(message, maxMessageBytes);
        } catch (RequestBodies.TooLarge e) {
            throw new GrpcException(Code.RESOURCE_EXHAUSTED, "decompressed request message exceeds the limit of "
                    + maxMessageBytes + " bytes (limits.max_request_body_size)");
        } catch (java.io.IOException e) {
            throw new GrpcException(Code.INVALID_ARGUMENT, "cannot read the request message: invalid gzip body: "
                    + e.getMessage());
        }
    }

    private static HttpResponse ok(byte[] message) {
        byte[] frame = new byte[5 + message.length];
        frame[1] = (byte) (message.length >>> 24);
        frame[2] = (byte) (message.length >>> 16);
        frame[3] = (byte) (message.length >>> 8);
        frame[4] = (byte) message.length;
        System.arraycopy(message, 0, frame, 5, message.length);
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK, "content-type", GRPC.toString()),
                HttpData.wrap(frame), HttpHeaders.of("grpc-status", "0"));
    }

    /** A trailers-only response: HTTP 200, the status in the headers, no body. */
    static HttpResponse error(Code code, String message) {
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                .contentType(GRPC)
                .add("grpc-status", Integer.toString(code.value))
                .add("grpc-message", percentEncode(message))
                .add("grpc-accept-encoding", "identity,gzip")
                .build());
    }

    /** {@code grpc-message}'s encoding: UTF-8, with bytes outside printable ASCII and '%' as %XX. */
    static String percentEncode(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c >= 0x20 && c <= 0x7E && c != '%') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
