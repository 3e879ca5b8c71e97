package io.sightline.server.ingest;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.ingest.remotewrite.RemoteWriteDecoder;
import io.sightline.server.http.ApiErrors;
import java.util.function.LongSupplier;

/**
 * {@code POST /api/v1/write}: Prometheus remote_write 1.0 (snappy-compressed {@code WriteRequest}),
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
        if (type.contains("io.prometheus.write.v2.Request")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "remote write 2.0 (io.prometheus.write.v2.Request) is not supported yet;"
                            + " send remote write 1.0 (protobuf_message: prometheus.WriteRequest)");
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "snappy");
        if (!encoding.equalsIgnoreCase("snappy")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported Content-Encoding \"" + encoding + "\": remote write bodies are snappy-compressed");
        }
        return pipeline.serve(req, "remote_write",
                (body, sink) -> new RemoteWriteDecoder(maxBodyBytes.getAsLong()).decodeSnappy(body, sink));
    }
}
