package io.sightline.server.ingest;

import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.sightline.ingest.otlp.OtlpMetricsTranslator;

/**
 * OTLP/gRPC metrics ({@code opentelemetry.proto.collector.metrics.v1.MetricsService/Export}) on the
 * server's port, beside HTTP/1 and HTTP/2 requests: the same translation and storage as
 * {@link OtlpHttpHandler}; refused points are reported in {@code partial_success}; overload and an opening
 * store are {@code UNAVAILABLE}, which exporters retry with backoff.
 */
public final class OtlpGrpcService {
    /** The gRPC method path the server routes here. */
    public static final String PATH = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private OtlpGrpcService() {}

    /** @param maxMessageBytes the largest request accepted (decompressed) */
    public static HttpService create(IngestPipeline pipeline, OtlpMetricsTranslator translator, int maxMessageBytes) {
        return GrpcService.builder()
                // OTLP/gRPC is binary protobuf only; Armeria's default formats would add gRPC-Web and JSON.
                .supportedSerializationFormats(GrpcSerializationFormats.PROTO)
                .maxRequestMessageLength(maxMessageBytes)
                .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request,
                            StreamObserver<ExportMetricsServiceResponse> response) {
                        long size = request.getSerializedSize();
                        if (pipeline.enter(size) != null) {
                            response.onError(Status.UNAVAILABLE.withDescription("too many writes in flight; retry shortly")
                                    .asRuntimeException());
                            return;
                        }
                        long now = System.currentTimeMillis();
                        io.sightline.ingest.otlp.DeltaAccumulator.Batch deltas = translator.deltaBatch();
                        pipeline.store(new byte[0], "otlp", (body, sink) -> translator.translate(request, now, sink, deltas))
                                .whenComplete((o, e) -> {
                                    pipeline.leave(size);
                                    if (e == null && o.kind() == IngestPipeline.Outcome.Kind.STORED) {
                                        deltas.commit(); // only stored requests move the delta totals
                                    }
                                    if (e != null) {
                                        org.slf4j.LoggerFactory.getLogger(OtlpGrpcService.class).atError().setCause(e)
                                                .log("OTLP gRPC export failed");
                                        response.onError(Status.INTERNAL.withDescription(
                                                "internal error storing the export (logged by the server)").asRuntimeException());
                                        return;
                                    }
                                    switch (o.kind()) {
                                        case UNAVAILABLE -> response.onError(
                                                Status.UNAVAILABLE.withDescription(o.message()).asRuntimeException());
                                        case MALFORMED -> response.onError(
                                                Status.INVALID_ARGUMENT.withDescription(o.message()).asRuntimeException());
                                        case STORED -> {
                                            ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
                                            if (o.rejected() > 0) {
                                                b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                                                        .setRejectedDataPoints(o.rejected()).setErrorMessage(o.summary()));
                                            }
                                            response.onNext(b.build());
                                            response.onCompleted();
                                        }
                                    }
                                });
                    }
                })
                .build();
    }
}
